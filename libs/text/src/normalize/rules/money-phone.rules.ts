/** Rules that read amounts of money and telephone numbers aloud. */
import { CURRENCY_BY_SYMBOL, CurrencyNames, currencyWords } from '../currency';
import { telephoneWords } from '../phone';
import { escapeRegExp, FREE, NUM, type Rule, wordsBefore } from './rule-kit';

const SYMBOL_ALTERNATION = CURRENCY_BY_SYMBOL.map(([symbol]) => escapeRegExp(symbol)).join('|');
const MAGNITUDE = String.raw`(?:\s?(thousand|million|billion|trillion)\b|(k|K|m|mn|bn|b|tn)\b)`;
const MONEY_CONTEXT =
  /\b(?:pay|paid|paying|cost|costs|price|prices|fee|fees|charge|charged|balance|amount|send|sent|transfer|transferred|deposit|deposited|withdraw|withdrew|owe|owes|owing|worth|debit|debited|credit|credited|total|refund|refunded|airtime|naira|sum)\b/i;

function currencyFor(symbol: string): CurrencyNames {
  const found = CURRENCY_BY_SYMBOL.find(([s]) => s === symbol.toUpperCase());
  if (!found) throw new Error(`unknown currency symbol ${symbol}`);
  return found[1];
}

function money(
  sign: string | undefined,
  amount: string,
  names: CurrencyNames,
  mag?: string,
): string {
  return (sign ? 'minus ' : '') + currencyWords(amount, names, mag);
}

export const currency: Rule = (text) =>
  text
    .replace(
      new RegExp(
        String.raw`(?<![A-Za-z0-9])([-−])?(${SYMBOL_ALTERNATION})\s?(${NUM})${MAGNITUDE}?(?![\w]|[.,]\d)`,
        'g',
      ),
      (
        _m,
        sign: string | undefined,
        symbol: string,
        amount: string,
        word?: string,
        short?: string,
      ) => money(sign, amount, currencyFor(symbol), word ?? short),
    )
    .replace(
      new RegExp(String.raw`${FREE}(${NUM})\s?(NGN|USD|GBP|EUR)\b`, 'g'),
      (_m, amount: string, code: string) => money(undefined, amount, currencyFor(code)),
    )
    .replace(
      new RegExp(String.raw`(?<![A-Za-z0-9])N(${NUM})${MAGNITUDE}?(?![\w]|[.,]\d)`, 'g'),
      (
        match,
        amount: string,
        word: string | undefined,
        short: string | undefined,
        at: number,
        all: string,
      ) => {
        // "N" is also a letter (N95 masks): only read it as naira when it clearly is money.
        const clearlyMoney =
          /,\d{3}/.test(amount) ||
          /\.\d{2}$/.test(amount) ||
          Boolean(word ?? short) ||
          MONEY_CONTEXT.test(wordsBefore(all, at, 40));
        return clearlyMoney ? money(undefined, amount, currencyFor('NGN'), word ?? short) : match;
      },
    );

function phoneOrKeep(match: string): string {
  const digits = match.replace(/\D/g, '').length;
  if (digits < 7 || digits > 15) return match;
  return telephoneWords(match) ?? match;
}

export const phones: Rule = (text) =>
  text
    .replace(
      /(?<![\w+])\+234[ .-]?(?:\(0\) ?)?(?:[789][01]\d[ .-]?\d{3}[ .-]?\d{4}|1[ .-]?\d{3}[ .-]?\d{4})(?![\w]|[.,]\d)/g,
      phoneOrKeep,
    )
    .replace(/(?<![\w+])\+\d+(?:(?:[ .-]| ?\(\d+\) ?)\d+)*(?![\w]|[.,]\d)/g, phoneOrKeep)
    .replace(/(?<![\w+.,])0[789][01]\d[ -]?\d{3}[ -]?\d{4}(?![\w]|[.,]\d)/g, phoneOrKeep)
    .replace(/(?<![\w+.,])0\d+(?:[ -]\d+)*(?![\w]|[.,]\d)/g, phoneOrKeep);
