"""The weekly discussion: schedule, topic rotation, opening posts and closing summaries. No discord here."""
