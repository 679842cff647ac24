"""manabi: answers questions from Japanese study notes and quizzes the learner on them."""
