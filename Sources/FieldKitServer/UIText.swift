/// The technicians' interface in the device's language: Dutch and English throughout,
/// Papiamento where it is written; a missing word falls back as content does (pap → nl → en).
struct UIText: Sendable {
    /// The interface languages, in the order the switcher lists them.
    static let languages = ["nl", "en", "pap"]

    /// Each language's own name, as the switcher shows it.
    static let languageNames = ["nl": "Nederlands", "en": "English", "pap": "Papiamentu"]

    let language: String

    init(_ language: String) {
        self.language = UIText.languages.contains(language) ? language : "en"
    }

    /// The text for `key`; the key itself when no language has it (a bug the tests catch).
    subscript(_ key: String) -> String {
        guard let texts = UIText.table[key] else { return key }
        for candidate in UIText.fallback(language) {
            if let text = texts[candidate] { return text }
        }
        return key
    }

    static func fallback(_ language: String) -> [String] {
        switch language {
        case "pap": ["pap", "nl", "en"]
        case "nl": ["nl", "en"]
        default: ["en", "nl"]
        }
    }

    /// Key → language → text.
    static let table: [String: [String: String]] = [
        "app": ["en": "FieldKit", "nl": "FieldKit"],
        "home": ["en": "Home", "nl": "Start", "pap": "Kuminsamentu"],
        "guides": ["en": "Guides", "nl": "Handleidingen", "pap": "Guia"],
        "instruments": ["en": "Instruments", "nl": "Instrumenten", "pap": "Instrumentonan"],
        "due": ["en": "Due here", "nl": "Te doen hier", "pap": "Pa hasi akinan"],
        "repair": ["en": "Repair", "nl": "Reparatie", "pap": "Reparashon"],
        "training": ["en": "Training", "nl": "Training", "pap": "Training"],
        "loan": ["en": "Loan or move", "nl": "Uitlenen of verplaatsen"],
        "register": ["en": "Register", "nl": "Registreren", "pap": "Registrá"],
        "audit": ["en": "Site audit", "nl": "Telling op locatie"],
        "sync": ["en": "Sync", "nl": "Synchroniseren", "pap": "Sinkronisá"],
        "language": ["en": "Language", "nl": "Taal", "pap": "Idioma"],
        "change": ["en": "Change", "nl": "Wijzigen", "pap": "Kambia"],
        "site": ["en": "Site", "nl": "Locatie", "pap": "Lugá"],
        "no-site": ["en": "no site chosen", "nl": "geen locatie gekozen"],
        "device": ["en": "Device", "nl": "Apparaat"],
        "skip": ["en": "Skip to the content", "nl": "Naar de inhoud"],
        "lookup-tag": ["en": "Instrument tag", "nl": "Instrumentlabel", "pap": "Etiket di instrumento"],
        "lookup-hint": [
            "en": "Type a tag or scan its barcode; the scanner presses Enter for you.",
            "nl": "Typ een label of scan de streepjescode; de scanner drukt zelf op Enter.",
        ],
        "look-up": ["en": "Look up", "nl": "Opzoeken", "pap": "Buska"],
        "search": ["en": "Search", "nl": "Zoeken", "pap": "Buska"],
        "search-guides": ["en": "Search the guides", "nl": "Zoek in de handleidingen", "pap": "Buska den e guianan"],
        "family": ["en": "Instrument family", "nl": "Instrumentfamilie"],
        "all-families": ["en": "All families", "nl": "Alle families"],
        "no-results": ["en": "Nothing found.", "nl": "Niets gevonden.", "pap": "Nada no a wòrdu hañá."],
        "minutes": ["en": "Minutes", "nl": "Minuten", "pap": "Minüt"],
        "difficulty": ["en": "Difficulty", "nl": "Moeilijkheid"],
        "for": ["en": "For", "nl": "Voor", "pap": "Pa"],
        "training-required": ["en": "Training required", "nl": "Vereiste training"],
        "symptoms": ["en": "Is this your problem?", "nl": "Is dit het probleem?", "pap": "Esaki ta bo problema?"],
        "stop-if": ["en": "Do not start if", "nl": "Begin niet als", "pap": "No kuminsá si"],
        "tools": ["en": "Tools", "nl": "Gereedschap", "pap": "Hèrmentnan"],
        "parts": ["en": "Parts", "nl": "Onderdelen", "pap": "Partinan"],
        "safety": ["en": "Safety", "nl": "Veiligheid", "pap": "Siguridat"],
        "steps": ["en": "Steps", "nl": "Stappen", "pap": "Pasonan"],
        "check": ["en": "Check", "nl": "Controle", "pap": "Kontrolá"],
        "caution": ["en": "Caution", "nl": "Let op", "pap": "Kuidou"],
        "care": ["en": "Care", "nl": "Onderhoud", "pap": "Kuido"],
        "depot": [
            "en": "Send it to the depot when", "nl": "Stuur het naar het depot als", "pap": "Manda e pa depósito si",
        ],
        "print": ["en": "Print", "nl": "Afdrukken", "pap": "Imprimí"],
        "shown-in": [
            "en": "Not written in %@ yet; shown in %@.", "nl": "Nog niet in het %@ geschreven; getoond in het %@.",
        ],
        "type": ["en": "Type", "nl": "Soort", "pap": "Tipo"],
        "size": ["en": "Size", "nl": "Maat", "pap": "Medida"],
        "maker": ["en": "Maker", "nl": "Maker"],
        "model": ["en": "Model", "nl": "Model"],
        "serial": ["en": "Serial number", "nl": "Serienummer"],
        "status": ["en": "Status", "nl": "Status"],
        "condition": ["en": "Condition", "nl": "Staat", "pap": "Kondishon"],
        "last-service": ["en": "Last service", "nl": "Laatste onderhoud"],
        "unknown": ["en": "unknown", "nl": "onbekend"],
        "provisional": [
            "en": "Provisional tag: registered in the field; headquarters confirms it.",
            "nl": "Voorlopig label: in het veld geregistreerd; het hoofdkantoor bevestigt het.",
        ],
        "conflict": [
            "en": "Conflict: %@ is %@; headquarters will decide.",
            "nl": "Conflict: %@ is %@; het hoofdkantoor beslist.",
        ],
        "history": ["en": "History", "nl": "Geschiedenis", "pap": "Historia"],
        "date": ["en": "Date", "nl": "Datum", "pap": "Fecha"],
        "event": ["en": "What happened", "nl": "Wat er gebeurde"],
        "log-repair": ["en": "Log a repair", "nl": "Reparatie vastleggen", "pap": "Registrá un reparashon"],
        "lend-move": ["en": "Lend, return or move", "nl": "Uitlenen, terugnemen of verplaatsen"],
        "follow-ups": ["en": "Follow-ups due", "nl": "Controles die aan de beurt zijn"],
        "overdue": ["en": "Overdue for service", "nl": "Onderhoud achterstallig"],
        "none": ["en": "None.", "nl": "Geen.", "pap": "Nada."],
        "never": ["en": "never", "nl": "nooit"],
        "problem": ["en": "What was wrong", "nl": "Wat was er mis", "pap": "Kiko tabata malu"],
        "action": ["en": "What you did", "nl": "Wat je hebt gedaan", "pap": "Kiko bo a hasi"],
        "guides-followed": ["en": "Guides followed", "nl": "Gevolgde handleidingen"],
        "parts-used": ["en": "Parts used", "nl": "Gebruikte onderdelen"],
        "parts-hint": [
            "en": "Part ids, comma-separated; ID:2 for two (the guide lists its parts).",
            "nl": "Onderdeelcodes, met komma's; ID:2 voor twee (de handleiding noemt haar onderdelen).",
        ],
        "minutes-spent": ["en": "Minutes spent", "nl": "Bestede minuten", "pap": "Minüt usá"],
        "outcome": ["en": "Outcome", "nl": "Resultaat", "pap": "Resultado"],
        "fixed": ["en": "fixed", "nl": "gerepareerd", "pap": "drechá"],
        "needs-depot": ["en": "needs the depot", "nl": "moet naar het depot", "pap": "mester bai depósito"],
        "beyond-repair": ["en": "beyond repair", "nl": "niet te repareren", "pap": "no por drecha"],
        "condition-before": ["en": "Condition before", "nl": "Staat ervoor"],
        "condition-after": ["en": "Condition after", "nl": "Staat erna"],
        "good": ["en": "good", "nl": "goed", "pap": "bon"],
        "fair": ["en": "fair", "nl": "redelijk", "pap": "regular"],
        "poor": ["en": "poor", "nl": "slecht", "pap": "malu"],
        "unplayable": ["en": "unplayable", "nl": "onbespeelbaar", "pap": "no por toka"],
        "not-given": ["en": "not given", "nl": "niet opgegeven"],
        "follow-up": ["en": "Look at it again on", "nl": "Opnieuw bekijken op"],
        "record-date": ["en": "Date of the work (empty: today)", "nl": "Datum van het werk (leeg: vandaag)"],
        "save": ["en": "Save", "nl": "Opslaan", "pap": "Warda"],
        "required": ["en": "Fill this in.", "nl": "Vul dit in.", "pap": "Yena esaki."],
        "whole-number": ["en": "Give a whole number of minutes.", "nl": "Geef een heel aantal minuten."],
        "fix-below": [
            "en": "Nothing was saved. Put right what is marked below.",
            "nl": "Er is niets opgeslagen. Verbeter wat hieronder is gemarkeerd.",
        ],
        "checklist": ["en": "Checklist", "nl": "Checklist", "pap": "Lista di kontrol"],
        "choose": ["en": "Choose", "nl": "Kiezen", "pap": "Skohe"],
        "items-done": ["en": "Items done", "nl": "Afgeronde onderdelen"],
        "trainer": ["en": "Trainer", "nl": "Trainer", "pap": "Entrenador"],
        "trainees": ["en": "Trainees, one name per line", "nl": "Deelnemers, één naam per regel"],
        "signed-off": [
            "en": "Trainer and trainees signed off: each trainee holds the competency",
            "nl": "Trainer en deelnemers hebben afgetekend: elke deelnemer heeft de bevoegdheid",
        ],
        "what": ["en": "What happens", "nl": "Wat gebeurt er"],
        "loan-out": ["en": "Lend it to a site", "nl": "Uitlenen aan een locatie"],
        "loan-return": ["en": "Take it back to the depot", "nl": "Terug naar het depot"],
        "loan-move": ["en": "Move it to another site", "nl": "Naar een andere locatie verplaatsen"],
        "to-site": ["en": "To site (not for a return)", "nl": "Naar locatie (niet bij terugnemen)"],
        "register-intro": [
            "en": "An instrument the depot does not know gets a provisional tag; headquarters confirms it.",
            "nl": "Een instrument dat het depot niet kent krijgt een voorlopig label; het hoofdkantoor bevestigt het.",
        ],
        "audit-intro": [
            "en": "Scan tag after tag. The lists below follow each scan; nothing is recorded until you finish.",
            "nl": "Scan label na label. De lijsten volgen elke scan; er wordt pas iets vastgelegd als je afrondt.",
        ],
        "scan": ["en": "Scan or type a tag", "nl": "Scan of typ een label"],
        "add": ["en": "Add", "nl": "Toevoegen", "pap": "Añadí"],
        "finish-audit": ["en": "Finish and record the audit", "nl": "Afronden en de telling vastleggen"],
        "scanned": ["en": "Scanned", "nl": "Gescand"],
        "missing": ["en": "Missing", "nl": "Ontbreekt", "pap": "Falta"],
        "unexpected": ["en": "Unexpected", "nl": "Onverwacht"],
        "wrong-site": ["en": "At the wrong site", "nl": "Op de verkeerde locatie"],
        "recorded-at": ["en": "recorded at %@", "nl": "geregistreerd op %@"],
        "pending": ["en": "Events not yet delivered", "nl": "Nog niet afgeleverde gebeurtenissen"],
        "last-receipt": ["en": "Last receipt from headquarters", "nl": "Laatste ontvangstbewijs van het hoofdkantoor"],
        "sync-to": [
            "en": "The stick's folder, or headquarters' address (https://…)",
            "nl": "De map van de stick, of het adres van het hoofdkantoor (https://…)",
        ],
        "sync-now": ["en": "Sync now", "nl": "Nu synchroniseren", "pap": "Sinkronisá awor"],
        "syncing": ["en": "Syncing… keep the stick in.", "nl": "Bezig… laat de stick erin."],
        "archives-written": ["en": "Archives written", "nl": "Geschreven archieven"],
        "receipts": ["en": "Receipts", "nl": "Ontvangstbewijzen"],
        "saved-repair": ["en": "Repair %@ saved.", "nl": "Reparatie %@ opgeslagen.", "pap": "Reparashon %@ wardá."],
        "saved-training": ["en": "Training %@ saved.", "nl": "Training %@ opgeslagen."],
        "saved-loan": ["en": "%@ is now at %@ (%@).", "nl": "%@ is nu op %@ (%@)."],
        "saved-register": [
            "en": "Registered under the provisional tag %@.",
            "nl": "Geregistreerd onder het voorlopige label %@.",
        ],
        "saved-audit": ["en": "Audit of %@ recorded.", "nl": "Telling van %@ vastgelegd."],
        "audit-counts": [
            "en": "%@ scanned, %@ missing, %@ unexpected, %@ at the wrong site.",
            "nl": "%@ gescand, %@ ontbreken, %@ onverwacht, %@ op de verkeerde locatie.",
        ],
        "whole-path": [
            "en": "Give the whole path of the stick's folder, starting with /, e.g. /media/anne/STICK.",
            "nl": "Geef het hele pad van de map op de stick, beginnend met /, bijvoorbeeld /media/anne/STICK.",
        ],
        "synced": ["en": "Synced.", "nl": "Gesynchroniseerd.", "pap": "Sinkronisá."],
        "not-found": ["en": "Not found", "nl": "Niet gevonden", "pap": "No a hañ'é"],
        "refused": ["en": "That did not work", "nl": "Dat lukte niet"],
        "refused-token": [
            "en": "This page needs the key that 'fieldkit ui' printed. Open the address it showed in full.",
            "nl":
                "Deze pagina heeft de sleutel nodig die 'fieldkit ui' liet zien. Open het volledige adres dat het toonde.",
        ],
        "today-at": ["en": "Working at", "nl": "Aan het werk op"],
        "pending-short": ["en": "not yet delivered", "nl": "nog niet afgeleverd"],
        "what-now": ["en": "What do you want to do?", "nl": "Wat wil je doen?", "pap": "Kiko bo ke hasi?"],
    ]
}
