"""clef: a French-speaking helpdesk assistant for school ENT account activation."""
