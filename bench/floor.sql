-- pgbench: the SQL one recorded payment needs, without the application.
-- Lock the invoice, insert the payment, recompute and update the invoice's totals,
-- store the idempotency row and the audit row, all in one transaction.
\set n :offset + random(1, :invoices)
BEGIN;
SELECT id, total FROM invoices_invoice
  WHERE id = (SELECT invoice_id FROM bench_invoice_map WHERE n = :n) FOR UPDATE;
INSERT INTO payments_payment (id, entity_id, customer_id, invoice_id, type, gateway, status,
    amount, amount_refunded, currency, date, reference, metadata, search_text, failure_code,
    failure_message, next_action_url, disputed, is_deleted, delete_reason, return_url,
    created_at, updated_at)
  SELECT 'pmt_' || substr(md5(random()::text), 1, 26), entity_id, customer_id, id,
    'bank_transfer', '', 'succeeded', 12.50, 0, 'EUR', current_date, 'FLOOR', '{"source":"bench"}',
    'FLOOR', '', '', '', false, false, '', '', now(), now()
  FROM invoices_invoice WHERE id = (SELECT invoice_id FROM bench_invoice_map WHERE n = :n);
UPDATE invoices_invoice SET (total_paid, total_due, updated_at) = (
    SELECT COALESCE(SUM(amount - amount_refunded), 0),
           invoices_invoice.total - COALESCE(SUM(amount - amount_refunded), 0), now()
    FROM payments_payment
    WHERE invoice_id = invoices_invoice.id AND status = 'succeeded' AND NOT is_deleted)
  WHERE id = (SELECT invoice_id FROM bench_invoice_map WHERE n = :n);
INSERT INTO billing_submission (door, owner, key, fingerprint, state, result, created_at)
  VALUES ('api', (SELECT id FROM billing_apikey LIMIT 1), md5(random()::text),
    md5(random()::text), 'done',
    '{"status": 201, "body": "x", "content_type": "application/json"}', now());
INSERT INTO billing_auditevent (entity_id, action, source, actor_api_key_id, actor_label,
    object_type, object_id, invoice_id, customer_id, after, reason, created_at)
  VALUES ((SELECT id FROM billing_entity LIMIT 1), 'payment.recorded', 'api', '', 'bench',
    'payment', 'pmt_x', (SELECT invoice_id FROM bench_invoice_map WHERE n = :n), '',
    '{"amount":"12.50"}', '', now());
COMMIT;
