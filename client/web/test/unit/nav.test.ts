// Which nav entry the shell lights for a route, and the route a URL names.
import { test } from "node:test";
import assert from "node:assert/strict";
import { html } from "lit";
import { navEntryFor, parseRoute, type PageSpec } from "../../src/ui/context.js";

const spec = (navRoute?: string): PageSpec => ({ navKey: "x", navRoute, render: () => html`` });
const navs: [string, PageSpec][] = [
  ["board", spec("board/all")], ["board-urgent", spec("board/urgent")], ["agenda", spec()],
  ["settings", spec("settings/types")],
];

test("a sub-route lights its entry", () => {
  assert.equal(navEntryFor(["board", "urgent", "all"], navs), "board-urgent");
  assert.equal(navEntryFor(["board", "urgent"], navs), "board-urgent");
  assert.equal(navEntryFor(["board", "all"], navs), "board");
  assert.equal(navEntryFor(["agenda", "week", "2026-12-07"], navs), "agenda");
  assert.equal(navEntryFor(["settings", "tags"], navs), "settings");
});

test("a route without a nav entry lights none", () => {
  assert.equal(navEntryFor(["customer", "12"], navs), undefined);
  assert.equal(navEntryFor([], navs), undefined);
});

test("a URL with a broken %-escape still opens the desk (the part as typed), not a blank page", () => {
  assert.deepEqual(parseRoute("#/agendas/ma%C3%ADa"), ["agendas", "maía"]);
  assert.deepEqual(parseRoute("#/customer/12%"), ["customer", "12%"]);
  assert.deepEqual(parseRoute("#/board/%E0%A4%A/all"), ["board", "%E0%A4%A", "all"]);
  assert.deepEqual(parseRoute(""), []);
});
