"""The directory port and its adapters (embedded SQL, LDAP)."""
