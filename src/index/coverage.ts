/**
 * How much of a question a passage must cover (the share of the question's weight, each term
 * weighted by its rarity, matched in the passage's text or heading): shared by answers by words
 * and the ranking by meaning, which both decide from it.
 */

/**
 * Least share of the question's weight (each term weighted by its rarity) that the best passage
 * must match in its text or heading. Below it, the passage shares only common words with the
 * question ("Microsoft", "China") and not what was actually asked, and the engine abstains.
 * Measured on the question set (tests/fixtures/questions.json): 0.4 balances answering
 * paraphrases against declining questions the article doesn't answer; see the README.
 */
export const MIN_COVERAGE = 0.4;

/**
 * Below this coverage a question declined by words alone shows no related passage: it would be
 * unrelated. On the question set, at 0.3 the passage shown is the right paragraph for half the
 * wrongly declined questions, and never a wrong one.
 */
export const MIN_CLOSEST_COVERAGE = 0.3;
