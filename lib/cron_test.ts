import assert from "node:assert/strict";
import { describeCron, nextRuns, normalizeCron, previewCron, validateCron } from "./cron.ts";

const run = (day: string, time = "00:00"): string => `${day} ${time}:00.000000`;

// [expression, from, expected runs]. Every row was also checked against cronsim 2.6:
// next(CronSim(expr, from)), called once per expected run.
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
  // 5L: last Friday; 1#2: second Monday.
  ["0 0 * * 5L", "2026-03-01 00:00:00", [run("2026-03-27"), run("2026-04-24"), run("2026-05-29")]],
  ["0 0 * * 5l", "2026-03-01 00:00:00", [run("2026-03-27"), run("2026-04-24")]],
  ["0 0 * * 1#2", "2026-03-01 00:00:00", [run("2026-03-09"), run("2026-04-13"), run("2026-05-11")]],
  ["0 0 * * mon#1,FRI#3", "2026-03-01 00:00:00", [
    run("2026-03-02"),
    run("2026-03-20"),
    run("2026-04-06"),
    run("2026-04-17"),
  ]],
  ["0 0 * * 7L", "2026-03-01 00:00:00", [run("2026-03-29"), run("2026-04-26")]],
  ["0 0 * * 1,5L", "2026-03-20 00:00:00", [
    run("2026-03-23"),
    run("2026-03-27"),
    run("2026-03-30"),
  ]],
  // The day rule: a day field starting with '*' means a day must match both (AND) ...
  ["0 0 */2 * MON", "2026-03-01 00:00:00", [
    run("2026-03-09"),
    run("2026-03-23"),
    run("2026-04-13"),
    run("2026-04-27"),
  ]],
  ["0 0 */10 * 7", "2026-03-01 00:00:00", [
    run("2026-05-31"),
    run("2026-06-21"),
    run("2026-10-11"),
  ]],
  ["0 0 1-7 * */2", "2026-03-01 00:00:00", [
    run("2026-03-03"),
    run("2026-03-05"),
    run("2026-03-07"),
    run("2026-04-02"),
  ]],
  // ... otherwise either (OR), even when a field lists every day.
  ["0 0 1 * 1#2", "2026-03-01 00:00:00", [run("2026-03-09"), run("2026-04-01"), run("2026-04-13")]],
  ["0 0 1-31 * MON", "2026-03-01 00:00:00", [run("2026-03-02"), run("2026-03-03")]],
  // LW: the last Monday–Friday of the month; L/n is L.
  ["0 0 LW * *", "2026-01-01 00:00:00", [run("2026-01-30"), run("2026-02-27"), run("2026-03-31")]],
  ["0 0 L/2 * *", "2026-03-01 00:00:00", [run("2026-03-31"), run("2026-04-30")]],
  // A step over one value runs to the field's top: 1/2 in day-of-week is 1,3,5,7 (7 is Sunday),
  // and 5-5/10 in day-of-month is 5,15,25.
  ["0 0 * * 1/2", "2026-03-01 00:00:00", [
    run("2026-03-02"),
    run("2026-03-04"),
    run("2026-03-06"),
    run("2026-03-08"),
    run("2026-03-09"),
  ]],
  ["0 0 5-5/10 * *", "2026-03-01 00:00:00", [
    run("2026-03-05"),
    run("2026-03-15"),
    run("2026-03-25"),
  ]],
  ["0 18 * * 5L", "2026-03-01 00:00:00", [run("2026-03-27", "18:00"), run("2026-04-24", "18:00")]],
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
const FIELDS = "expected 5 fields (minute hour day-of-month month day-of-week)";
const LAST_HINT =
  "is not supported: write the day number before 'L', e.g. '5L' for the last Friday";

// [expression, exact error message]; cronsim 2.6 refuses each (its message names the same field).
const REJECTED: [string, string][] = [
  ["", `${P}it is empty`],
  ["   ", `${P}it is empty`],
  ["0 0 * *", `${P}${FIELDS}, got 4`],
  ["0 0 0 * * *", `${P}${FIELDS}, got 6 (a seconds field is not supported)`],
  ["0 0 0 * * * 2030", `${P}${FIELDS}, got 7`],
  ["@daily", `${P}${FIELDS}, got 1; macros such as '@daily' are not supported`],
  ["0 0 ? * *", `${P}day-of-month '?' is not supported; write '*'`],
  ["H 0 * * *", `${P}minute 'H': 'H' (hashed values) is not supported`],
  [
    "0 0 15W * *",
    `${P}day-of-month '15W': 'W' is supported only as 'LW' (the last weekday of the month)`,
  ],
  [
    "0 0 W * *",
    `${P}day-of-month 'W': 'W' is supported only as 'LW' (the last weekday of the month)`,
  ],
  ["0 0 15-L * *", `${P}day-of-month 'L': 'L' and 'LW' must stand alone (e.g. 'L' or '1,L')`],
  ["a b c d e", `${P}minute 'A' is not a number`],
  ["60 * * * *", `${P}minute value 60 is out of range 0–59`],
  ["0 24 * * *", `${P}hour value 24 is out of range 0–23`],
  ["0 0 0 * *", `${P}day-of-month value 0 is out of range 1–31`],
  ["0 0 1-32 * *", `${P}day-of-month value 32 is out of range 1–31`],
  ["0 0 * 13 *", `${P}month value 13 is out of range 1–12`],
  ["0 0 * FOO *", `${P}month 'FOO' is not a number or month name (JAN–DEC)`],
  ["0 0 * * 8", `${P}day-of-week value 8 is out of range 0–7`],
  ["0 0 * * 8L", `${P}day-of-week value 8 is out of range 0–7`],
  ["0 0 * * MONDAY", `${P}day-of-week 'MONDAY' is not a number or day name`],
  ["0 0 * * JAN", `${P}day-of-week 'JAN' is not a number or day name`],
  ["*/0 * * * *", `${P}minute '*/0': the step after '/' must be a whole number of at least 1`],
  ["1/2/3 * * * *", `${P}minute '1/2/3': the step after '/' must be a whole number of at least 1`],
  ["1,,2 * * * *", `${P}minute has an empty entry (check for a stray ',', '-', '/' or '#')`],
  ["-5 * * * *", `${P}minute has an empty entry (check for a stray ',', '-', '/' or '#')`],
  ["0 22-2 * * *", `${P}hour range '22-2' runs backwards; write the lower value first`],
  // The last Friday is 5L; cronsim refuses L5, FRIL and a bare L (the scheduler would stop).
  ["0 18 * * L5", `${P}day-of-week 'L5' ${LAST_HINT}`],
  ["0 18 * * FRIL", `${P}day-of-week 'FRIL' ${LAST_HINT}`],
  ["0 18 * * L", `${P}day-of-week 'L' ${LAST_HINT}`],
  ["0 18 * * 5L/2", `${P}day-of-week '5L/2' ${LAST_HINT}`],
  ["0 0 * * 1#6", `${P}day-of-week '1#6': the number after '#' must be 1–5`],
  ["0 0 * * MON-FRI#2", `${P}day-of-week 'MON-FRI#2': '#' needs one day before it, e.g. '1#2'`],
  // Dates that never exist.
  ["0 0 30 2 *", `${P}day-of-month 30 never occurs in month '2'`],
  ["0 0 31 4,6,9,11 *", `${P}day-of-month 31 never occurs in month '4,6,9,11'`],
  ["0 0 30 2 MON", `${P}day-of-month 30 never occurs in month '2'`],
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

Deno.test("nextRuns finds rare runs, like cronsim, within 50 years of the previous one", () => {
  // The fifth Monday of February needs a leap year whose February 29th is a Monday.
  assert.deepEqual(nextRuns("0 0 * 2 1#5", "2026-03-01 00:00:00", 2), [
    run("2044-02-29"),
    run("2072-02-29"),
  ]);
});

Deno.test("nextRuns stops after the year 9999", () => {
  assert.deepEqual(nextRuns("0 0 29 2 *", "9995-01-01 00:00:00", 5), [run("9996-02-29")]);
});

Deno.test("validateCron with now refuses an expression with no run in 50 years", () => {
  // The parser accepts it, but February 1st is never a fifth Monday and has no 31st (AND).
  assert.equal(validateCron("0 0 */30 2 1#5"), null);
  assert.equal(
    validateCron("0 0 */30 2 1#5", { now: "2026-03-01 00:00:00" }),
    "Cannot use cron expression: it has no run in the next 50 years.",
  );
  assert.equal(validateCron("0 0 * 2 1#5", { now: "2026-03-01 00:00:00" }), null);
});

Deno.test("the fields are split where Python splits them", () => {
  // \x1c is white space to Python's str.split() (not to JavaScript's \s); \ufeff the reverse.
  assert.equal(validateCron("0\x1c0 * * *"), null);
  assert.match(validateCron("0\ufeff0 * * *")!, /got 4/);
  assert.equal(normalizeCron(" 0\t0\x1c* *  * "), "0 0 * * *");
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
  assert.match(describeCron("0 0 * * 5l"), /last Friday of the month/);
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
    error: `${P}${FIELDS}, got 6 (a seconds field is not supported)`,
  });
});

Deno.test("describeCron says whether a day must match both day fields or either", () => {
  // cronstrue joins both with "and" either way; the runs above show which one cronsim means.
  assert.equal(
    describeCron("0 0 */2 * MON"),
    "At 00:00, only on days that match both: every 2 days in a month, and only on Monday",
  );
  assert.equal(
    describeCron("0 0 1,15 * 1-5"),
    "At 00:00, on days that match either: on day 1 and 15 of the month, or Monday through Friday",
  );
  // 1/2 is 1,3,5,7: Sunday included (cronstrue alone says "Monday through Saturday").
  assert.equal(
    describeCron("0 0 * * 1/2"),
    "At 00:00, only on Sunday, Monday, Wednesday, and Friday",
  );
  assert.equal(describeCron("0 0 L/2 * *"), "At 00:00, on the last day of the month");
  assert.equal(describeCron("0 18 * * 5L"), "At 18:00, on the last Friday of the month");
});

Deno.test("previewCron refuses an expression with no run in the next 50 years", () => {
  assert.deepEqual(previewCron("0 0 */30 2 1#5", "2026-03-01T00:00"), {
    ok: false,
    error: "Cannot use cron expression: it has no run in the next 50 years.",
  });
});

Deno.test("an expression parsed once answers the same every time after (the parse is remembered)", () => {
  for (const expr of ["*/7 9-17 L * 1-5", "0 0 29 2 *", "0 12 LW * *"]) {
    const first = nextRuns(expr, "2026-01-30 10:00:00", 20);
    assert.deepEqual(nextRuns(expr, "2026-01-30 10:00:00", 20), first, expr);
    // Each run again, one at a time from the run before it: the remembered parse is not worn.
    let from = "2026-01-30 10:00:00";
    for (const run of first) {
      assert.deepEqual(nextRuns(expr, from, 1), [run], expr);
      from = run;
    }
  }
  const refused = validateCron("L5 * * * *");
  assert.notEqual(refused, null);
  assert.equal(validateCron("L5 * * * *"), refused);
  assert.throws(() => nextRuns("L5 * * * *", "2026-01-30 10:00:00"), { message: refused });
});
