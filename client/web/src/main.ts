// The web desk's entry: every page module registers itself, then the shell.
import "./ui/pages/board.js";
import "./ui/pages/agenda.js";
import "./ui/pages/agendas.js";
import "./ui/pages/console.js";
import "./ui/pages/reports.js";
import "./ui/pages/customer.js";
import "./ui/dialogs/dialogs.js";
import "./ui/pages/settings.js";
import "./ui/app.js";
