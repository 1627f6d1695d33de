#!/bin/bash
# End-to-end: customer import from the terminal desk's Contacts (`I`): the
# real clubcrmd, an admin's desk and an operator's in tmux. The admin checks
# a Spanish-Excel file (the dry run and its bad rows by line), is refused
# while bad rows would stop it, imports with the bad rows skipped (the new
# contacts show live), then checks the same file again (nothing new); the
# operator is told only admins may import.
#   import_e2e.sh CLUBCRMD CLUBCRM
. "$(dirname "$0")/tmux_lib.sh" e2e-import "$1" "$2"
start_server

# Lines 3, 6 and 9 bad; line 7 is the demo's Arantxa (her phone).
printf '\xEF\xBB\xBFNombre;Apellidos;Tel\xC3\xA9fono;Correo;Consultor/a;Notas\r\n'\
'Pilar;Ortega;+34 600 123 456;pilar@example.org;deborah;"Quiere clases; de tenis"\r\n'\
'Juan;Ruiz;600 999 888;juan@;;\r\n'\
'Rosa;Mar\xC3\xADn;;rosa@example.org;Valentina;"Antigua socia\r\nvolver\xC3\xA1 en verano"\r\n'\
'Tom\xC3\xA1s;Vidal;;;nadie;\r\n'\
'Arantxa;Etxeberria;+34 600 111 222;;;\r\n'\
'Nuria;Sanz;611 222 333;NURIA@example.org;;\r\n'\
'Nuria;S.;;nuria@example.org;;\r\n' >"$DIR/clientes.csv"

$T new-session -d -s e2e -x 170 -y 50 "$(run desk fermin demo)"
$T new-window -t e2e "$(run desk alicia demo)"
$T resize-window -t e2e:1 -x 170 -y 50 2>/dev/null

echo "1. Contacts, I: the form; Ctrl-S checks the file (the dry run)"
wait_for 0 "live "
text 0 3
wait_for 0 "Contacts  (Enter"
text 0 I
wait_for 0 "Import customers from a CSV file"
text 0 "$DIR/clientes.csv"
keys 0 C-s
wait_for 0 "Dry run: 3 new, 1 duplicate skipped, 3 bad"
wait_for 0 "line 3: bad e-mail 'juan@'"
wait_for 0 "line 6: unknown consultant 'nadie'"
wait_for 0 "line 9: same e-mail as line 8"
wait_for 0 "3 bad rows: correct the file"

echo "2. bad rows stop the import until they are skipped"
keys 0 C-s
wait_for 0 "3 bad rows: nothing imported"
CLUBCRM_PASSWORD=demo "$CLUBCRM" --server "$ADDR" --user fermin customer list \
	--search Ortega >"$DIR/list.out" 2>&1 || fail "customer list: $(cat "$DIR/list.out")"
grep -q "Pilar" "$DIR/list.out" && fail "imported before the bad rows were skipped"
keys 0 Tab
keys 0 Right
wait_for 0 "skip them, import the others"
keys 0 C-s
wait_for 0 "Imported: 3 new, 1 duplicate skipped, 3 bad"
wait_for 0 "imported 3 new customers, 1 duplicate skipped, 3 bad rows skipped"
keys 0 Escape
wait_for 0 "Pilar Ortega"
wait_for 0 "Rosa Marín"

echo "3. the same file again: nothing new"
text 0 I
wait_for 0 "Import customers from a CSV file"
text 0 "$DIR/clientes.csv"
keys 0 C-s
wait_for 0 "Dry run: 0 new, 4 duplicates skipped, 3 bad"
keys 0 Escape

echo "4. an operator may not import"
wait_for 1 "live "
text 1 3
wait_for 1 "Contacts  (Enter"
text 1 I
wait_for 1 "only admins may import customers"

echo "5. both desks quit cleanly"
text 0 q
text 1 q
for who in fermin alicia; do
	quit_cleanly $who
done
stop_server
echo "PASS"
