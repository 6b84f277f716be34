-- Reserved for contacts, tags, custom fields, imports and segments (issue 3).
-- Its branch replaces this comment with the schema; nothing has shipped yet.
SELECT 1;
