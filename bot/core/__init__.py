"""The pure core: notes, tokenizing, search, quizzes and progress. Knows nothing of Discord."""
