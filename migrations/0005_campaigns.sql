-- Reserved for campaigns, recipients and sending state (issue 5).
-- Its branch replaces this comment with the schema; nothing has shipped yet.
SELECT 1;
