"""The Payments section's flows: Create (record or charge), Refund, Edit, Delete, Retry,
and moving an overpayment to the money balance. Each calls one service, once per form token."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404

from backoffice.display import money
from backoffice.flow_base import (
    admin_actor,
    document_field,
    flow_page,
    get_invoice,
    get_payment,
    invoice_url,
    is_payable,
    render_flow,
    require,
)
from backoffice.flows import Outcome, run_once
from backoffice.labels import EXTERNAL_TYPE_LABELS, gateway_label, method_label
from backoffice.payment_forms import (
    EXTERNAL,
    ConfirmForm,
    PaymentCreateForm,
    PaymentEditForm,
    ReasonForm,
    RefundForm,
    RetryForm,
)
from payments.models import EXTERNAL_TYPES, PaymentStatus, RefundStatus, SavedPaymentMethod
from payments.services import (
    payment_charge,
    payment_delete,
    payment_record,
    payment_retry,
    payment_update,
    refund_create,
)
from payments.services.authentication import payment_charge_cancel
from payments.services.refunding import refundable_amount

CREATE_PARAMS = {
    "type": "external_type",
    "payment_method_id": "method",
    "invoice_id": None,
    "advance_invoice_id": None,
}


def usable_cards(invoice):
    return list(
        SavedPaymentMethod.objects.filter(
            customer_id=invoice.customer_id, entity_id=invoice.entity_id, detached_at__isnull=True
        )
    )


def charge_outcome(payment, url: str) -> Outcome:
    """What to tell the admin about a charge, in each of its resulting states."""
    invoice = payment.invoice or payment.advance_invoice  # as the service left it
    card = method_label(payment)
    amount = money(payment.amount, payment.currency)
    if payment.status == PaymentStatus.SUCCEEDED:
        return Outcome(
            url,
            f"Charged {amount} to {card} through {gateway_label(payment)}. Amount due is now "
            f"{money(invoice.total_due, invoice.currency)}.",
        )
    if payment.status == PaymentStatus.FAILED:
        reason = payment.failure_message or "The card was declined."
        code = f" ({payment.failure_code})" if payment.failure_code else ""
        return Outcome(
            url,
            f"The charge of {amount} to {card} was declined: {reason}{code} "
            "It is listed under Payments as a failed attempt that you can retry.",
            messages.ERROR,
        )
    if payment.status == PaymentStatus.REQUIRES_ACTION:
        return Outcome(
            url,
            f"The charge of {amount} to {card} needs the card holder's authentication "
            "(3-D Secure). It stays pending until the customer completes it.",
            messages.WARNING,
        )
    return Outcome(
        url,
        f"The charge of {amount} to {card} is pending: the gateway has not answered yet. "
        "It will be settled automatically; nothing will be charged twice.",
        messages.WARNING,
    )


def payment_create_view(model_admin, request, object_id):
    invoice = get_invoice(model_admin, request, object_id)
    allow_external = request.user.has_perm("payments.record_payment")
    allow_charge = request.user.has_perm("payments.charge_payment")
    if not (allow_external or allow_charge):
        require(request, "payments.record_payment")
    chosen = request.POST.get("method") if request.method == "POST" else None
    if (chosen == EXTERNAL and not allow_external) or (
        chosen and chosen != EXTERNAL and not allow_charge
    ):
        raise PermissionDenied
    back = invoice_url(model_admin, invoice, "payments")
    cards = usable_cards(invoice) if allow_charge else []
    initial = {"amount": max(invoice.total_payable, 0) or None, "seen_due": invoice.total_due}
    form = PaymentCreateForm(
        request.POST or None,
        initial=initial,
        cards=cards,
        allow_charge=allow_charge,
        allow_external=allow_external,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = admin_actor(request)

        def create() -> Outcome:
            if data["method"] == EXTERNAL:
                payment = payment_record(
                    entity=invoice.entity,
                    actor=actor,
                    amount=data["amount"],
                    type=data["external_type"],
                    date=data["date"],
                    reference=data["reference"] or None,
                    note=data["note"] or None,
                    expected_due=data["seen_due"],
                    **{document_field(invoice): invoice.pk},
                )
                document = payment.invoice or payment.advance_invoice  # as the service left it
                kind = EXTERNAL_TYPE_LABELS[data["external_type"]].lower()
                return Outcome(
                    back,
                    f"Recorded {money(payment.amount, payment.currency)} paid by {kind}. "
                    f"Amount due is now {money(document.total_due, document.currency)}.",
                )
            payment = payment_charge(
                entity=invoice.entity,
                actor=actor,
                payment_method_id=data["method"],
                amount=data["amount"],
                expected_due=data["seen_due"],
                **{document_field(invoice): invoice.pk},
            )
            return charge_outcome(payment, back)

        response = run_once(
            request,
            form,
            purpose=f"payment.create {invoice.pk}",
            action=create,
            back_url=back,
            params=CREATE_PARAMS,
        )
        if response is not None:
            return response
        invoice.refresh_from_db()  # the refusal is shown beside the figures it was judged on
        form.data = form.data.copy()
        form.data["seen_due"] = str(invoice.total_due)
    return render_flow(
        model_admin,
        request,
        invoice,
        template="admin/settle/payment_create.html",
        title=f"Create payment · {invoice}",
        form=form,
        payable=is_payable(invoice),
        allow_charge=allow_charge,
        allow_external=allow_external,
        has_cards=bool(cards),
    )


def refund_view(model_admin, request, object_id, payment_id):
    invoice = get_invoice(model_admin, request, object_id)
    payment = get_payment(invoice, payment_id)
    require(request, "payments.refund_payment")
    back = invoice_url(model_admin, invoice, "payments")
    refundable = refundable_amount(payment)
    form = RefundForm(request.POST or None, payment=payment, initial={"amount": refundable})

    def refund() -> Outcome:
        data = form.cleaned_data
        row = refund_create(
            payment=payment,
            actor=admin_actor(request),
            amount=data["amount"],
            destination=data["destination"],
            reason=data["reason"],
        )
        amount = money(row.amount, row.currency)
        if row.status == RefundStatus.FAILED:
            return Outcome(
                back,
                f"The gateway refused the refund of {amount}: {row.failure_message}",
                messages.ERROR,
            )
        if row.status == RefundStatus.PENDING:
            return Outcome(
                back,
                f"The refund of {amount} is pending at the gateway; it settles automatically.",
                messages.WARNING,
            )
        document = row.payment.invoice or row.payment.advance_invoice  # as the service left it
        return Outcome(
            back,
            f"Refunded {amount} of the {method_label(payment)} payment. "
            f"Amount due is now {money(document.total_due, document.currency)}.",
        )

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"refund {payment.pk}",
        action=refund,
        back_url=back,
        template="admin/settle/payment_refund.html",
        title=f"Refund payment · {invoice}",
        preview_of=[payment.pk, invoice.pk],
        payment=payment,
        method=method_label(payment),
        refundable=refundable,
    )


def payment_edit_view(model_admin, request, object_id, payment_id):
    invoice = get_invoice(model_admin, request, object_id)
    payment = get_payment(invoice, payment_id)
    require(request, "payments.change_payment")
    if payment.is_deleted:
        raise Http404("This payment was deleted.")
    back = invoice_url(model_admin, invoice, "payments")
    initial = {"date": payment.date, "reference": payment.reference, "note": payment.note}
    form = PaymentEditForm(request.POST or None, initial=initial)

    def edit() -> Outcome:
        changes = form.changes(payment)
        if changes:
            payment_update(payment=payment, actor=admin_actor(request), **changes)
            return Outcome(back, f"Saved the {method_label(payment)} payment's details.")
        return Outcome(back, "Nothing changed.", messages.INFO)

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"payment.edit {payment.pk}",
        action=edit,
        back_url=back,
        template="admin/settle/payment_edit.html",
        title=f"Edit payment · {invoice}",
        payment=payment,
        method=method_label(payment),
    )


def payment_delete_view(model_admin, request, object_id, payment_id):
    invoice = get_invoice(model_admin, request, object_id)
    payment = get_payment(invoice, payment_id)
    require(request, "payments.remove_payment")
    if payment.is_gateway or payment.type not in EXTERNAL_TYPES:
        raise Http404("Only external payments can be deleted; refund the others.")
    back = invoice_url(model_admin, invoice, "payments")
    form = ReasonForm(request.POST or None)

    def delete() -> Outcome:
        deleted = payment_delete(
            payment=payment, actor=admin_actor(request), reason=form.cleaned_data["reason"]
        )
        document = deleted.invoice or deleted.advance_invoice  # as the service left it
        return Outcome(
            back,
            f"Deleted the {money(payment.amount, payment.currency)} "
            f"{method_label(payment)} payment. Amount due is now "
            f"{money(document.total_due, document.currency)}.",
        )

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"payment.delete {payment.pk}",
        action=delete,
        back_url=back,
        template="admin/settle/payment_delete.html",
        title=f"Delete payment · {invoice}",
        payment=payment,
        method=method_label(payment),
    )


def payment_retry_view(model_admin, request, object_id, payment_id):
    invoice = get_invoice(model_admin, request, object_id)
    payment = get_payment(invoice, payment_id)
    require(request, "payments.charge_payment")
    back = invoice_url(model_admin, invoice, "payments")
    cards = usable_cards(invoice)
    form = RetryForm(request.POST or None, cards=cards, current=payment.saved_payment_method_id)

    def retry() -> Outcome:
        attempt = payment_retry(
            payment=payment,
            actor=admin_actor(request),
            payment_method_id=form.cleaned_data["method"],
        )
        return charge_outcome(attempt, back)

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"payment.retry {payment.pk}",
        action=retry,
        back_url=back,
        params={"payment_method_id": "method"},
        template="admin/settle/payment_retry.html",
        title=f"Retry charge · {invoice}",
        payment=payment,
        method=method_label(payment),
        retry_amount=min(payment.amount, max(invoice.total_due, 0)),
    )


def payment_cancel_view(model_admin, request, object_id, payment_id):
    invoice = get_invoice(model_admin, request, object_id)
    payment = get_payment(invoice, payment_id)
    require(request, "payments.charge_payment")
    back = invoice_url(model_admin, invoice, "payments")
    form = ConfirmForm(request.POST or None)

    def cancel() -> Outcome:
        outcome = payment_charge_cancel(payment=payment, actor=admin_actor(request))
        amount = money(outcome.amount, outcome.currency)
        if outcome.status == PaymentStatus.CANCELED:
            document = outcome.invoice or outcome.advance_invoice  # as the service left it
            return Outcome(
                back,
                f"Canceled the waiting charge of {amount}; nothing was charged. "
                f"{money(document.total_payable, document.currency)} can now be paid.",
            )
        if outcome.status == PaymentStatus.REQUIRES_ACTION:
            return Outcome(
                back,
                f"{gateway_label(outcome)} could not be reached: the charge of {amount} still "
                "waits. Try again in a moment.",
                messages.ERROR,
            )
        return charge_outcome(outcome, back)  # the card holder confirmed (or failed) first

    return flow_page(
        model_admin,
        request,
        invoice,
        form,
        purpose=f"payment.cancel {payment.pk}",
        action=cancel,
        back_url=back,
        template="admin/settle/payment_cancel.html",
        title=f"Cancel charge · {invoice}",
        payment=payment,
        method=method_label(payment),
        gateway=gateway_label(payment),
    )
