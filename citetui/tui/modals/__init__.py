"""The small dialogs screens push: tags, notes, labels, saved views."""
