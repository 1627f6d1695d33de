#!/bin/bash
# End-to-end: the real clubcrmd, two desks and two consoles (`clubcrm desk`,
# `clubcrm console`; an admin's and an operator's) in tmux windows.
# Keys go in with send-keys; the screens are read with capture-pane (-e for
# colours) and polled until the expected text shows, never a fixed sleep.
#   desk_e2e.sh CLUBCRMD CLUBCRM
. "$(dirname "$0")/tmux_lib.sh" e2e "$1" "$2"
start_server

# The command line, as alicia, for changes made outside the screens.
cli() {
	CLUBCRM_PASSWORD=demo "$CLUBCRM" --server "$ADDR" --user alicia "$@" \
		>>"$DIR/cli.out" 2>&1 || fail "clubcrm $*: $(tail -3 "$DIR/cli.out")"
}
# A time N seconds from now in the demo club's zone, for --at.
club_time() { TZ=Europe/Madrid date -d "@$((EPOCHSECONDS + $1))" '+%Y-%m-%d %H:%M:%S'; }

$T new-session -d -s e2e -x 170 -y 40 "$(run desk alicia demo)"
$T new-window -t e2e "$(run desk valentina)"
$T new-window -t e2e "$(run console fermin demo)"
$T new-window -t e2e "$(run console deborah demo)"
$T resize-window -t e2e:1 -x 170 -y 40 2>/dev/null
$T resize-window -t e2e:2 -x 170 -y 40 2>/dev/null
$T resize-window -t e2e:3 -x 170 -y 40 2>/dev/null

echo "0. without a password, the login screen (the password hidden)"
wait_for 1 "clubcrm desk: log in"
wait_re 1 "Login +valentina"
text 1 "demo"
wait_re 1 "Password +[*]{4}"
absent 1 "demo"
keys 1 Enter
wait_for 0 "Offer tennis lessons"
wait_for 1 "Offer tennis lessons"
wait_for 2 "Urgent tasks of everyone"

echo "0b. reassigning is an admin's: an operator's console does not offer r"
wait_for 2 "r reassign"  # Fermín is an admin
wait_for 3 "Urgent tasks of everyone"
wait_for 3 "live "
absent 3 "r reassign"
text 3 r
wait_for 3 "only admins may reassign"
absent 3 "Reassign open tasks"

echo "1. a task created in one desk appears in the other desk and the console"
keys 0 n
wait_for 0 "New task"
text 0 "E2E trial visit"; keys 0 Tab
text 0 "Jorge"; keys 0 Tab
text 0 "Objection"; keys 0 C-s
wait_for 0 "saved task"
wait_for 1 "E2E trial visit" 41
wait_for 2 "E2E trial visit" 41

echo "2. taking charge in one desk turns the row yellow in the other two"
keys 1 /
wait_for 1 "Created from"
keys 1 Up; text 1 "E2E trial"; keys 1 C-s
wait_for 1 "Text: E2E trial"
wait_for 1 "E2E trial visit"  # the filtered view's snapshot is in
keys 1 t
wait_for 0 "E2E trial visit" 43
wait_for 2 "taken by Valentina"
wait_for 2 "E2E trial visit" 43

echo "3. an edit refused because the task changed shows both versions"
keys 0 /
wait_for 0 "Created from"
keys 0 Up; text 0 "E2E trial"; keys 0 C-s
wait_for 0 "Text: E2E trial"
wait_for 0 "E2E trial visit"
keys 0 Enter
wait_for 0 "Task info"
keys 1 Enter
wait_for 1 "Task info"
keys 1 C-e; text 1 " (moved)"; keys 1 C-s
wait_for 1 "saved task"
wait_for 0 "E2E trial visit (moved)"
keys 0 C-e; text 0 " (mine)"; keys 0 C-s
wait_for 0 "FAILED_PRECONDITION"
wait_for 0 "Someone else changed this task. Theirs (now on the server):"
wait_for 0 "Description: E2E trial visit (moved)"  # theirs
wait_re 0 "Description +E2E trial visit \(mine\)"  # mine, in the form
keys 0 C-r
wait_for 0 "E2E trial visit (mine)"
wait_for 1 "E2E trial visit (mine)"

echo "4. the operators' agenda slot shows the customer after creation"
text 0 7
wait_for 0 "Operators' agendas"
text 0 "]"
keys 0 Enter
wait_for 0 "New task"
text 0 "E2E slot"; keys 0 Tab
text 0 "Carmen"; keys 0 C-s
wait_for 0 "saved task"
wait_re 0 "^[0-9]{2}:[0-9]{2} +Carmen Ruiz"  # Alicia's column, first slot

echo "4b. my agenda's calendar feed: F asks, a second F shows a new secret URL"
text 0 6
wait_for 0 "F calendar feed"
text 0 F
wait_for 0 "F again: a new secret URL"
text 0 x
wait_for 0 "no new calendar feed URL"
text 0 F
text 0 F
wait_re 0 "Calendar feed \(secret; shown once, Esc hides it\): /feed/[A-Za-z0-9_-]{43}\.ics"
wait_for 0 "the old one no longer works"
keys 0 Escape
wait_for 0 "F calendar feed"

echo "5. the screens show the server's absence, then catch up when it returns"
text 0 1
wait_for 0 "E2E trial visit (mine)"  # alone in the filtered list: the cursor is on it
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=
wait_for 0 "RECONNECTING"
wait_for 1 "RECONNECTING"
wait_for 2 "RECONNECTING"
"$CLUBCRMD" --listen "$ADDR" --web-listen none --data "$DIR/data" 2>>"$DIR/log" &
SERVER_PID=$!
# A change the screens did not see happen, made as soon as the server
# answers, possibly before they are back, so that they must catch up on it:
# an urgent type (the console lists it too), a description the desks'
# filters ("E2E trial") let through, planned before the task alicia's
# cursor is on (the cursor must stay on that task).
deadline=$((EPOCHSECONDS + WAIT))
until CLUBCRM_PASSWORD=demo "$CLUBCRM" --server "$ADDR" --user alicia \
	task add --customer Manolo --type Objection --at "$(club_time -3600)" \
	--operator deborah --desc "E2E trial while away" >>"$DIR/cli.out" 2>&1; do
	[ "$EPOCHSECONDS" -lt "$deadline" ] || fail "clubcrmd did not come back"
	sleep 0.1
done
for w in 0 1 2; do
	wait_for $w "E2E trial while away"
	wait_re $w " live [0-9]{2}:[0-9]{2} *$"
done
wait_for 2 "E2E trial while away" 41
keys 0 Enter
wait_for 0 "Task info"
wait_re 0 "Description +E2E trial visit \(mine\)"
keys 0 C-e; text 0 " again"; keys 0 C-s
wait_for 1 "E2E trial visit (mine) again"
wait_for 2 "E2E trial visit (mine) again"

echo "5b. a repeating task is marked; the board's past is read-only"
cli task add --customer Jorge --type Call --at "$(club_time 7200)" \
	--repeat weekly --count 3 --desc "E2E trial weekly"
wait_re 1 "○ +↻ .*E2E trial weekly"
keys 1 h
wait_for 1 "The board as it stood"
keys 1 C-u; text 1 "r1"; keys 1 Enter   # Enter on the one field shows it
wait_for 1 "AS OF"
wait_re 1 "AS OF [0-9-]+ [0-9:]+ \(rev 1\) read-only"
wait_for 1 "(no tasks)"
absent 1 "E2E trial weekly"   # none of them existed yet
absent 1 "E2E trial visit"
text 1 n
wait_for 1 "read-only: AS OF"
absent 1 "New task"
text 1 h
wait_for 1 "live again"
wait_for 1 "E2E trial weekly"
keys 1 h
wait_for 1 "The board as it stood"
keys 1 C-u; text 1 "2099-01-01 10:00"; keys 1 C-s
wait_for 1 "as of: OUT_OF_RANGE"   # the future: refused, back to live
wait_for 1 "E2E trial weekly"
absent 1 "AS OF"

echo "5c. a routine set up in the new-task form, then stopped in its info form"
keys 0 n
wait_for 0 "New task"
text 0 "E2E trial routine"; keys 0 Tab
text 0 "Jorge"; keys 0 Tab
text 0 "Call"; keys 0 Tab Tab Tab Tab   # Planned, Operator, Tags, Repeats
keys 0 Right                             # daily
wait_re 0 "Repeats +< daily >"
keys 0 Tab Tab; text 0 "4"; keys 0 C-s
wait_for 0 "saved task"
id=$($T capture-pane -p -t e2e:0 | grep -o 'saved task [0-9]*' | tail -1 | cut -d' ' -f3)
[ -n "$id" ] || fail "no task id in the status line"
cli task show "$id"
grep -q "daily, 4 occurrences" "$DIR/cli.out" || fail "not a daily series of 4: $(tail -5 "$DIR/cli.out")"
wait_re 1 "↻ .*E2E trial routine"
keys 0 /
wait_for 0 "Created from"
keys 0 Up C-u; text 0 "E2E trial routine"; keys 0 C-s
wait_for 0 "Text: E2E trial routine"
wait_re 0 "↻ .*E2E trial routine"
keys 0 Enter
wait_for 0 "Task info"
wait_re 0 "Repeat times +4"
keys 0 Up Up Up Left                     # Repeats: none
wait_re 0 "Repeats +< none >"
keys 0 C-s
wait_for 0 "saved task $id"
wait_re 0 "○ {6}[0-9]{2}/[0-9]{2} .*E2E trial routine"   # no ↻ any more
absent 0 "↻"
: >"$DIR/cli.out"
cli task show "$id"
! grep -q "Repeats:" "$DIR/cli.out" || fail "still repeating: $(cat "$DIR/cli.out")"
keys 0 /
wait_for 0 "Created from"
keys 0 Up C-u; text 0 "E2E trial"; keys 0 C-s
wait_for 0 "E2E trial visit (mine) again"

echo "6. a reminder line when one of the operator's tasks falls due"
cli task add --customer Lucía --type Call --operator alicia \
	--at "$(club_time 6)" --desc "E2E due soon"
wait_for 0 "Due now:"
wait_re 0 "Due now: [0-9]{2}:[0-9]{2} Call Lucía Fernández - E2E due soon"
absent 1 "Due now:"  # Valentina's desk: not her task

echo "7. the terminal is resized: the screen follows"
$T resize-window -t e2e:2 -x 120 -y 30
wait_for 2 "live "

echo "8. the mouse: a quick button, then a double click on a contact"
click 0 30 1
wait_for 0 "Contacts  (Enter"
click 0 5 4
click 0 5 4
wait_for 0 "Customer profile:"

echo "8b. the console's report (R): this month, then this week, then back"
text 2 R
wait_for 2 "Tasks per operator responsible and type"
wait_re 2 "Report $(TZ=Europe/Madrid date +%Y-%m)-01 to "
wait_re 2 "Alicia +Call"
text 2 w
wait_re 2 "Report $(TZ=Europe/Madrid date -d "-$(($(TZ=Europe/Madrid date +%u) - 1)) days" +%Y-%m-%d) to "
text 2 R
wait_for 2 "Urgent tasks of everyone"
text 3 R  # an operator's: her own tasks only
wait_re 3 "Deborah +Objection"
absent 3 "Alicia "
keys 3 Escape
wait_for 3 "Urgent tasks of everyone"

echo "9. q ends the desks and the console cleanly, each logging out"
logged_out() { grep -c ": $1 logged out" "$DIR/log" || true; }
declare -A before
for who in alicia valentina fermin deborah; do
	before[$who]=$(logged_out $who)
done
text 0 q
text 1 q
text 2 q
text 3 q
for who in alicia valentina fermin deborah; do
	quit_cleanly $who
	# The screen waits for the server's answer to Logout before it exits.
	[ "$(logged_out $who)" -gt "${before[$who]}" ] ||
		fail "$who's screen quit without logging out"
done
stop_server
echo "PASS"
