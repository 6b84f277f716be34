-- Reserved for templates and brand assets (issue 4).
-- Its branch replaces this comment with the schema; nothing has shipped yet.
SELECT 1;
