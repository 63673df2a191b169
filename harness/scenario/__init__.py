"""What criterion scenarios share: waits and views over a running Stack, the warped run, an Odoo client."""
