-- Reserved for issue 6 (delivery and engagement events); the events branch replaces this body.
SELECT 1;
