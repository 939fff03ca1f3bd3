"""The API's representation of each object an event carries, registered with the outbox so
that `data.object` is what `GET` on the object would answer at that moment."""


def webhook_renderers_register() -> None:
    from api.resources.bank_statements import BankStatementLineSerializer
    from api.resources.credit_notes import CreditNoteSerializer
    from api.resources.customers import CustomerSerializer
    from api.resources.invoices import AdvanceInvoiceSerializer, InvoiceSerializer
    from api.resources.payments import PaymentSerializer
    from api.resources.refunds import RefundSerializer
    from banking.models import BankStatementLine
    from billing.models import Customer
    from invoices.models import CreditNote, Invoice, InvoiceKind
    from payments.models import Payment, Refund
    from webhooks.rendering import renderer_register

    def invoice(obj):
        advance = obj.kind == InvoiceKind.ADVANCE
        return (AdvanceInvoiceSerializer if advance else InvoiceSerializer)(obj).data

    renderer_register(Invoice, invoice)
    for model, serializer in (
        (Payment, PaymentSerializer),
        (Refund, RefundSerializer),
        (CreditNote, CreditNoteSerializer),
        (Customer, CustomerSerializer),
        (BankStatementLine, BankStatementLineSerializer),
    ):
        renderer_register(model, lambda obj, serializer=serializer: serializer(obj).data)
