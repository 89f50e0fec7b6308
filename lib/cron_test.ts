import assert from "node:assert/strict";
import { describeCron, nextRuns, previewCron, validateCron } from "./cron.ts";

const run = (day: string, time = "00:00"): string => `${day} ${time}:00.000000`;

// [expression, from, expected runs]. Every row was also checked against croniter 6.2.4:
// croniter(expr, from).get_next(datetime), called once per expected run.
const RUNS: [string, string, string[]][] = [
  // Both day fields restricted: a day matching either one runs (13th of April is a Monday).
  ["0 0 13 * FRI", "2026-04-01 00:00:00", [
    run("2026-04-03"),
    run("2026-04-10"),
    run("2026-04-13"),
    run("2026-04-17"),
    run("2026-04-24"),
  ]],
  ["0 0 L * MON", "2026-04-25 00:00:00", [run("2026-04-27"), run("2026-04-30"), run("2026-05-04")]],
  ["0 0 29 2 MON", "2028-02-20 00:00:00", [
    run("2028-02-21"),
    run("2028-02-28"),
    run("2028-02-29"),
    run("2029-02-05"),
  ]],
  // One day field is '*': only the other one counts.
  ["0 0 * * MON", "2026-03-01 00:00:00", [run("2026-03-02"), run("2026-03-09"), run("2026-03-16")]],
  ["0 0 */2 * *", "2026-03-29 12:00:00", [run("2026-03-31"), run("2026-04-01"), run("2026-04-03")]],
  ["0 0 1,15 * *", "2026-01-20 08:00:00", [
    run("2026-02-01"),
    run("2026-02-15"),
    run("2026-03-01"),
  ]],
  // Names and ranges, any case.
  ["0 9 * JAN-MAR MON-FRI", "2026-03-30 10:00:00", [
    run("2026-03-31", "09:00"),
    run("2027-01-01", "09:00"),
    run("2027-01-04", "09:00"),
  ]],
  ["0 9 * jan-mar mon-fri", "2026-03-30 10:00:00", [
    run("2026-03-31", "09:00"),
    run("2027-01-01", "09:00"),
    run("2027-01-04", "09:00"),
  ]],
  ["30 8 1 jan,Jul *", "2026-01-01 08:30:00", [
    run("2026-07-01", "08:30"),
    run("2027-01-01", "08:30"),
    run("2027-07-01", "08:30"),
  ]],
  // L: last day of the month, in a leap year and a common year.
  ["0 0 L * *", "2028-01-31 00:00:00", [run("2028-02-29"), run("2028-03-31"), run("2028-04-30")]],
  ["0 0 l * *", "2027-01-31 00:00:00", [run("2027-02-28"), run("2027-03-31"), run("2027-04-30")]],
  ["0 0 1,L * *", "2026-04-15 00:00:00", [run("2026-04-30"), run("2026-05-01"), run("2026-05-31")]],
  // L5: last Friday; 1#2: second Monday.
  ["0 0 * * L5", "2026-03-01 00:00:00", [run("2026-03-27"), run("2026-04-24"), run("2026-05-29")]],
  ["0 0 * * 1#2", "2026-03-01 00:00:00", [run("2026-03-09"), run("2026-04-13"), run("2026-05-11")]],
  ["0 0 * * mon#1,FRI#3", "2026-03-01 00:00:00", [
    run("2026-03-02"),
    run("2026-03-20"),
    run("2026-04-06"),
    run("2026-04-17"),
  ]],
  ["0 0 * * L7", "2026-03-01 00:00:00", [run("2026-03-29"), run("2026-04-26")]],
  // Days that not every month or year has.
  ["0 0 29 2 *", "2026-03-01 00:00:00", [run("2028-02-29"), run("2032-02-29")]],
  ["0 0 31 * *", "2026-03-31 00:00:00", [
    run("2026-05-31"),
    run("2026-07-31"),
    run("2026-08-31"),
    run("2026-10-31"),
  ]],
  // Steps.
  ["*/15 * * * *", "2026-03-01 10:07:00", [
    run("2026-03-01", "10:15"),
    run("2026-03-01", "10:30"),
    run("2026-03-01", "10:45"),
    run("2026-03-01", "11:00"),
  ]],
  ["10-50/20 * * * *", "2026-03-01 10:50:00", [
    run("2026-03-01", "11:10"),
    run("2026-03-01", "11:30"),
    run("2026-03-01", "11:50"),
    run("2026-03-01", "12:10"),
  ]],
  ["5/20 * * * *", "2026-03-01 10:50:00", [
    run("2026-03-01", "11:05"),
    run("2026-03-01", "11:25"),
    run("2026-03-01", "11:45"),
  ]],
  ["0 */6 * * *", "2026-03-01 05:59:59.999999", [
    run("2026-03-01", "06:00"),
    run("2026-03-01", "12:00"),
    run("2026-03-01", "18:00"),
    run("2026-03-02", "00:00"),
  ]],
  // Year boundary.
  ["* * * * *", "2026-12-31 23:59:00", [run("2027-01-01", "00:00"), run("2027-01-01", "00:01")]],
  ["0 0 1 1 *", "2026-12-31 23:59:59", [run("2027-01-01"), run("2028-01-01")]],
  // Strictly after the minute of `from`.
  ["* * * * *", "2026-03-01 10:00:30", [run("2026-03-01", "10:01"), run("2026-03-01", "10:02")]],
  ["0 10 * * *", "2026-03-01 10:00:00", [run("2026-03-02", "10:00"), run("2026-03-03", "10:00")]],
  ["0 10 * * *", "2026-03-01 09:59:59.999999", [
    run("2026-03-01", "10:00"),
    run("2026-03-02", "10:00"),
  ]],
  // 0 and 7 are both Sunday (2026-03-01 is a Sunday).
  ["0 0 * * 0", "2026-03-01 00:00:00", [run("2026-03-08"), run("2026-03-15")]],
  ["0 0 * * 7", "2026-03-01 00:00:00", [run("2026-03-08"), run("2026-03-15")]],
  ["0 0 * * SUN", "2026-03-01 00:00:00", [run("2026-03-08"), run("2026-03-15")]],
  ["0 0 * * 5-7", "2026-03-01 00:00:00", [run("2026-03-06"), run("2026-03-07"), run("2026-03-08")]],
];

for (const [expr, from, expected] of RUNS) {
  Deno.test(`nextRuns('${expr}') from ${from}`, () => {
    assert.equal(validateCron(expr), null);
    assert.deepEqual(nextRuns(expr, from, expected.length), expected);
  });
}

const P = "Cannot parse cron expression: ";

// [expression, exact error message]
const REJECTED: [string, string][] = [
  ["", `${P}it is empty`],
  ["   ", `${P}it is empty`],
  ["0 0 ? * *", `${P}'?' is not supported`],
  ["0 0 * * ?", `${P}'?' is not supported`],
  ["@daily", `${P}macros such as '@daily' are not supported; write the 5 fields`],
  ["@reboot", `${P}macros such as '@reboot' are not supported; write the 5 fields`],
  ["H 0 * * *", `${P}'H' is not supported`],
  ["H/15 * * * *", `${P}'H' is not supported`],
  ["0 0 W * *", `${P}'W' is not supported`],
  ["0 0 15W * *", `${P}'W' is not supported`],
  ["0 0 LW * *", `${P}'W' is not supported`],
  ["0 0 0 * * *", `${P}expected 5 fields, got 6 (a seconds field is not supported)`],
  ["0 0 0 * * * 2030", `${P}expected 5 fields, got 7 (seconds and year fields are not supported)`],
  ["0 0 * *", `${P}expected 5 fields, got 4`],
  ["a b c d e", `${P}minute value 'a' is not a number`],
  ["60 * * * *", `${P}minute value 60 is out of range 0–59`],
  ["0 24 * * *", `${P}hour value 24 is out of range 0–23`],
  ["0 0 0 * *", `${P}day-of-month value 0 is out of range 1–31`],
  ["0 0 32 * *", `${P}day-of-month value 32 is out of range 1–31`],
  ["0 0 * 0 *", `${P}month value 0 is out of range 1–12`],
  ["0 0 * 13 *", `${P}month value 13 is out of range 1–12`],
  ["0 0 * * 8", `${P}day-of-week value 8 is out of range 0–7`],
  ["0 0 * * L8", `${P}day-of-week value 8 is out of range 0–7`],
  ["0 0 1-32 * *", `${P}day-of-month value 32 is out of range 1–31`],
  ["0 0 * FOO *", `${P}month value 'FOO' is not a number or month name`],
  ["0 0 * * MONDAY", `${P}day-of-week value 'MONDAY' is not a number or day name`],
  ["0 0 * * JAN", `${P}day-of-week value 'JAN' is not a number or day name`],
  ["*/0 * * * *", `${P}minute step '0' must be a whole number of at least 1`],
  ["*/x * * * *", `${P}minute step 'x' must be a whole number of at least 1`],
  ["1/2/3 * * * *", `${P}minute '1/2/3' has more than one '/'`],
  ["1,,2 * * * *", `${P}minute has an empty list entry`],
  ["-5 * * * *", `${P}minute range '-5' is incomplete`],
  ["*,5 * * * *", `${P}minute cannot list '*' together with other values`],
  // croniter reads a-a and a/n at the top of the field as the whole field, and wraps
  // backward ranges, so these are refused rather than misread.
  ["0 5-5 * * *", `${P}hour range '5-5' must run from a lower to a higher value`],
  ["0 22-2 * * *", `${P}hour range '22-2' must run from a lower to a higher value`],
  ["59/5 * * * *", `${P}minute '59/5' has nothing to step over`],
  // croniter spells "last Friday" L5; it rejects 5L.
  [
    "0 0 * * 5L",
    `${P}day-of-week '5L' is not supported; put the L first, e.g. 'L5' for the last Friday`,
  ],
  ["0 0 * * 1#6", `${P}day-of-week '1#6' needs a number from 1 to 5 after '#'`],
  ["0 0 * * MON-FRI#2", `${P}day-of-week 'MON-FRI#2' needs a single day before '#', e.g. '1#2'`],
  ["0 0 * * 1,L5", `${P}day-of-week cannot mix plain days with '#' or 'L' entries`],
  ["0 0 15-L * *", `${P}'L' in day-of-month must be a list entry of its own, e.g. '1,L'`],
  // croniter fails to find any run for these (or ignores the day-of-month).
  ["0 0 1 * 1#2", `${P}'#' and 'L' in day-of-week need '*' in day-of-month`],
  ["0 0 L * L5", `${P}'#' and 'L' in day-of-week need '*' in day-of-month`],
  // croniter runs on days matching either field here; classic cron on days matching both.
  [
    "0 0 */2 * MON",
    `${P}day-of-month '*/2' with day-of-week 'MON' is ambiguous (cron versions disagree whether ` +
    "a day must match both or either); use '*' in one of them or list the days",
  ],
  [
    "0 0 1 * */2",
    `${P}day-of-month '1' with day-of-week '*/2' is ambiguous (cron versions disagree whether ` +
    "a day must match both or either); use '*' in one of them or list the days",
  ],
  // croniter before 2.0.4 reads these as '*' (AND), later versions as a list (OR).
  ["0 0 1-31 * MON", `${P}day-of-month '1-31' covers every day; write '*' instead`],
  ["0 0 1 * 0-6", `${P}day-of-week '0-6' covers every day; write '*' instead`],
  // No real date.
  ["0 0 31 2 *", `${P}it never matches a real date`],
  ["0 0 30 2 *", `${P}it never matches a real date`],
  ["0 0 31 4,6,9,11 *", `${P}it never matches a real date`],
  ["0 0 30 2 MON", `${P}day-of-month '30' never occurs in month '2'`],
];

for (const [expr, message] of REJECTED) {
  Deno.test(`validateCron rejects '${expr}'`, () => {
    assert.equal(validateCron(expr), message);
    assert.throws(() => nextRuns(expr, "2026-03-01 00:00:00"), { message });
  });
}

Deno.test("validateCron accepts surrounding and repeated whitespace", () => {
  assert.equal(validateCron("  0\t9  * *   MON-FRI \n"), null);
});

Deno.test("nextRuns accepts the three time formats and ignores seconds", () => {
  const expected = [run("2026-03-01", "10:01"), run("2026-03-01", "10:02")];
  assert.deepEqual(nextRuns("* * * * *", "2026-03-01 10:00:59.999999", 2), expected);
  assert.deepEqual(nextRuns("* * * * *", "2026-03-01 10:00:00", 2), expected);
  assert.deepEqual(nextRuns("* * * * *", "2026-03-01T10:00", 2), expected);
  assert.deepEqual(nextRuns("* * * * *", "2026-03-01 10:00", 2), expected);
});

Deno.test("nextRuns rejects times that are not real", () => {
  for (const from of ["2026-02-29 10:00:00", "2026-03-01 24:00:00", "2026-03-01", "yesterday"]) {
    assert.throws(() => nextRuns("* * * * *", from), {
      message: `Cannot read time: expected YYYY-MM-DD HH:MM:SS, got '${from}'`,
    });
  }
});

Deno.test("nextRuns returns 5 runs by default and at most 50", () => {
  assert.equal(nextRuns("* * * * *", "2026-03-01 10:00:00").length, 5);
  const many = nextRuns("* * * * *", "2026-03-01 10:00:00", 500);
  assert.equal(many.length, 50);
  assert.equal(many[49], run("2026-03-01", "10:50"));
  assert.deepEqual(nextRuns("* * * * *", "2026-03-01 10:00:00", 0), []);
});

Deno.test("nextRuns finds rare runs, like croniter, within 50 years of the previous one", () => {
  // The fifth Monday of February needs a leap year whose February 29th is a Monday.
  assert.deepEqual(nextRuns("0 0 * 2 1#5", "2026-03-01 00:00:00", 2), [
    run("2044-02-29"),
    run("2072-02-29"),
  ]);
});

Deno.test("nextRuns stops after the year 9999", () => {
  assert.deepEqual(nextRuns("0 0 29 2 *", "9995-01-01 00:00:00", 5), [run("9996-02-29")]);
});

Deno.test("describeCron describes common expressions", () => {
  const weekdays = describeCron("0 9 * JAN-MAR MON-FRI");
  assert.match(weekdays, /09:00/);
  assert.match(weekdays, /Monday through Friday/);
  assert.match(weekdays, /January through March/);
  assert.equal(describeCron("0 9 * jan-mar mon-fri"), weekdays);
  assert.match(describeCron("*/15 * * * *"), /Every 15 minutes/);
  assert.match(describeCron("30 14 * * *"), /14:30/);
  assert.match(describeCron("0 0 l * *"), /last day of the month/);
  assert.match(describeCron("0 0 * * l5"), /last Friday of the month/);
  assert.match(describeCron("0 0 * * 1#2"), /second Monday of the month/);
  assert.match(describeCron("0 0 * * 7"), /Sunday/);
});

Deno.test("describeCron throws the validation message on an invalid expression", () => {
  assert.throws(() => describeCron("0 0 * * 8"), {
    message: `${P}day-of-week value 8 is out of range 0–7`,
  });
});

Deno.test("previewCron gives the description and next 5 runs, or the error", () => {
  assert.deepEqual(previewCron("0 10 * * *", "2026-03-01T10:00"), {
    ok: true,
    description: "At 10:00",
    next: ["02", "03", "04", "05", "06"].map((day) => run(`2026-03-${day}`, "10:00")),
  });
  assert.deepEqual(previewCron("0 0 * * * *", "2026-03-01T10:00"), {
    ok: false,
    error: `${P}expected 5 fields, got 6 (a seconds field is not supported)`,
  });
});
