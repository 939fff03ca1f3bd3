from tests.payments import pdf_support

fake_renders = pdf_support.fake_renders
