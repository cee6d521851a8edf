/**
 * Bench texts. Plain words only (no digits, abbreviations or symbols), so the service's text
 * normalization leaves them as they are and the engine-alone run speaks the same words.
 */

/** A typical one-line agent turn: exactly 55 characters. */
export const SHORT_TEXT = 'Hello, thank you for calling. How can I help you today?';

/** A long agent turn: exactly 1,000 characters (about a minute of speech). */
export const LONG_TEXT = [
  'Thank you for calling Lakeside Family Clinic, this is the automated assistant speaking.',
  'I can help you book, move or cancel an appointment, check the status of a prescription refill, or pass a message to the nursing team.',
  'Before we begin, please have your date of birth and the name of your doctor ready, because I will need both to find your record.',
  'If this is a medical emergency, please hang up and call emergency services right away.',
  'Our clinic is open from eight in the morning until six in the evening on weekdays, and from nine until one on Saturdays.',
  'Walk in visits are available every morning, but the wait can be long, so booking ahead is usually faster.',
  'You can say book, change, cancel, prescriptions, or nurse at any time, and I will take you straight there.',
  'If you would rather speak with a member of our front desk team, just say agent and I will transfer you as soon as someone is free.',
  'Calls may be recorded so that we can improve our service and keep accurate notes of your request.',
].join(' ');

/** For the capacity test: about 25 seconds of speech, so a stream lasts long enough to judge. */
export const CAPACITY_TEXT = [
  'Thanks for holding. I found your appointment with Doctor Okafor on Tuesday morning at half past ten.',
  'The visit is booked as a routine follow up and should take about twenty minutes.',
  'Please arrive a little early so the nurse can check your blood pressure, and bring a list of the medicines you are taking now.',
  'If you need to change the time, say change, and I will read out the next open slots this week.',
].join(' ');

/** The capacity text's first sentence: its first piece, what a new call waits for. */
export const BURST_TEXT = CAPACITY_TEXT.slice(0, CAPACITY_TEXT.indexOf('.') + 1);
