-- R-AUTH-8: a login's address counts as proved only once a link sent to it was used. NULL = not
-- proved. Logins that already used such a link (a reset or set-password link, an invitation) and
-- operators count as proved; everyone else proves their address with the next link they use.
ALTER TABLE users ADD COLUMN email_verified_at TIMESTAMPTZ;
UPDATE users SET email_verified_at = updated_at
 WHERE is_operator
    OR id IN (SELECT user_id FROM password_resets WHERE used_at IS NOT NULL)
    OR id IN (SELECT accepted_by FROM invitations WHERE accepted_by IS NOT NULL);
