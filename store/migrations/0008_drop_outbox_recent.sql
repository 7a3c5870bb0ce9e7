-- outbox_recent (0004) served the first answer rate limit, which counted a
-- project's answers by kind; the limit now counts per recipient through
-- outbox_by_rcpt_kind (0006), and no query reads outbox_recent. Each mail
-- queued still paid for it: one B-tree insert of seven.
DROP INDEX outbox_recent;
