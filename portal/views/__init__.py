"""The member portal's views: documents, paying, cards and the sandbox's stand-in pages."""
