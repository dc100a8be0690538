"""What the People pages read: the directory's filters and order (`directory`), the plain-language
summary of who can see and change what (`scope`), and each person's change history (`history`).
The writes are accounts.services.people."""
