/**
 * Word lists the generator draws from. Values that an importer validates (time zones, languages,
 * themes) are valid on purpose, so a default export imports without a ValidationError.
 */

export const FIRST_NAMES = [
  "Ada",
  "Alan",
  "Grace",
  "Linus",
  "Margaret",
  "Ken",
  "Barbara",
  "Dennis",
  "Frances",
  "John",
  "Radia",
  "Guido",
  "José",
  "Zoë",
  "Björn",
  "Søren",
  "Łukasz",
  "Ngozi",
  "Mei",
  "Hiroshi",
  "Ayşe",
  "Dmitri",
  "Priya",
  "Chloé",
] as const;

export const LAST_NAMES = [
  "Lovelace",
  "Turing",
  "Hopper",
  "Torvalds",
  "Hamilton",
  "Thompson",
  "Liskov",
  "Ritchie",
  "Allen",
  "Backus",
  "Perlman",
  "van Rossum",
  "García",
  "Müller",
  "Øster",
  "Nowak",
  "Okafor",
  "Wang",
  "Tanaka",
  "Yılmaz",
  "Ivanov",
  "Sharma",
  "Lefèvre",
  "O'Brien",
] as const;

/** ASCII folding for the local part of generated addresses. */
const FOLD: Readonly<Record<string, string>> = {
  é: "e",
  ë: "e",
  è: "e",
  ö: "o",
  ø: "o",
  Ø: "o",
  ü: "u",
  ş: "s",
  ı: "i",
  ł: "l",
  Ł: "l",
  í: "i",
  á: "a",
};

export function asciiSlug(text: string): string {
  let out = "";
  for (const ch of text.toLowerCase()) {
    const folded = FOLD[ch] ?? ch;
    if (/^[a-z0-9]$/.test(folded)) {
      out += folded;
    }
  }
  return out;
}

export const DOMAINS = [
  "example.com",
  "example.org",
  "example.net",
  "corp.example",
  "mail.example.io",
] as const;

/** IANA names, including an alias (`US/Pacific`), all accepted by `Intl.DateTimeFormat`. */
export const TIMEZONES = [
  "UTC",
  "Europe/Vienna",
  "Europe/London",
  "America/Los_Angeles",
  "America/New_York",
  "America/Sao_Paulo",
  "Asia/Tokyo",
  "Asia/Kolkata",
  "Australia/Sydney",
  "Africa/Lagos",
  "US/Pacific",
] as const;

/** A conservative subset of Sentry's `LANGUAGES` codes. */
export const LANGUAGES = ["en", "de", "fr", "es", "ja", "it"] as const;

export const THEMES = ["light", "dark", "system"] as const;

/** Sentry's admin permissions (`sentry.userpermission`, `sentry.userrole.permissions`). */
export const PERMISSIONS = ["broadcasts.admin", "users.admin", "options.admin"] as const;

export const ROLE_NAMES = [
  "Super Admin",
  "Support",
  "Billing Admin",
  "Broadcast Editor",
  "Read Only",
] as const;

export const API_SCOPES = [
  "org:read",
  "org:write",
  "project:read",
  "project:write",
  "project:releases",
  "team:read",
  "member:read",
  "event:read",
  "event:write",
  "alerts:read",
] as const;

export const RELAY_VERSIONS = ["23.6.1", "23.11.2", "24.1.0", "24.5.1", "25.2.0"] as const;

export const OPTION_UPDATERS = ["unknown", "cli", "automator"] as const;
