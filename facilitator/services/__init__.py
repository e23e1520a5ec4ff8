"""Services shared by the phases: live revisions, seed, PDF, export."""
