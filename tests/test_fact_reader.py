"""The fact reader (bot/understanding/): what it takes out of messages customers write, in Norwegian and Swedish."""

import datetime as dt

import pytest

from bot.understanding.addresses import NEW, OLD, find_addresses
from bot.understanding.corrections import HOUSE_NUMBER, POSTCODE, corrected, read_address_correction
from bot.understanding.facts import Context, address_change_facts, booking_facts, complaint_facts
from bot.understanding.names import read_name
from bot.understanding.periods import find_dates

TODAY = dt.date(2026, 12, 5)


def ctx(requested=None, filled=None, last_address=None):
    return Context(TODAY, requested, filled or {}, last_address)


# --- addresses -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, old, new", [
    ("flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen", "Storgata 5, 0155 Oslo", "Bryggen 12, 5003 Bergen"),
    ("skal flytte til Nygårdsgaten 10, 5015 Bergen fra Sjøgata 3, 8006 Bodø", "Sjøgata 3, 8006 Bodø",
     "Nygårdsgaten 10, 5015 Bergen"),
    ("från Sveavägen 40, 111 34 Stockholm till Västra Hamngatan 5, 411 17 Göteborg",
     "Sveavägen 40, 11134 Stockholm", "Västra Hamngatan 5, 41117 Göteborg"),
    ("vi flyttar till linnégatan 7 41304 göteborg från storgatan 3 90326 umeå", "Storgatan 3, 90326 umeå",
     "Linnégatan 7, 41304 göteborg"),
    ("Kong Oscars gate 12, 5017 Bergen er gamle adressa, nye er Parkveien 3 H0201, 0350 Oslo",
     "Kong Oscars gate 12, 5017 Bergen", "Parkveien 3 H0201, 0350 Oslo"),
    ("Torggata 1, 0181 Oslo og Sandgata 3, 7012 Trondheim", "Torggata 1, 0181 Oslo", "Sandgata 3, 7012 Trondheim"),
    ("til Sjøgata 3, 8624 Mo i Rana fra Nedre Storgate 3 B, 3015 Drammen",
     "Nedre Storgate 3 B, 3015 Drammen", "Sjøgata 3, 8624 Mo i Rana"),
])
def test_two_addresses_in_a_sentence_get_their_roles(text, old, new):
    found = {a.role: a.text for a in find_addresses(text)}
    assert found == {OLD: old, NEW: new}


@pytest.mark.parametrize("text, expected", [
    ("nei vent, det skal være Storgata 5, 9008 Tromsø jo", "Storgata 5, 9008 Tromsø"),
    ("oj skreiv feil, e Elvegata 14 9008 tromsø", "Elvegata 14, 9008 tromsø"),
    ("det ska vara Drottninggatan 20, 111 51 Stockholm, förlåt", "Drottninggatan 20, 11151 Stockholm"),
    ("storgata 5 0155", "Storgata 5, 0155"),
])
def test_an_address_inside_a_sentence_is_the_address_alone(text, expected):
    assert [a.text for a in find_addresses(text)] == [expected]


@pytest.mark.parametrize("text", [
    "jeg flytter 15.01.2027 og har sporingsnummer CP710202412NO",
    "ring meg på 987 65 432",
    "flyttar 1 mars 2027",
    "hei, jeg skal flytte",
])
def test_dates_phone_and_parcel_numbers_are_no_addresses(text):
    assert find_addresses(text) == []


# --- names -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, answering, expected", [
    ("hei, jeg heter kari holm og flytter fra Storgata 5", False, "Kari Holm"),
    ("eg heiter Sindre Bakke, flyttar i mars", False, "Sindre Bakke"),
    ("hej! jag heter Per Strand och ska flytta", False, "Per Strand"),
    ("mvh Ingvild Dal", False, "Ingvild Dal"),
    ("Navnet mitt er Tor Berg.", False, "Tor Berg"),
    ("mitt namn är ebba von rosen", False, "Ebba von Rosen"),
    ("Lars af Klint, flyttar 1 mars", True, "Lars af Klint"),
    ("det er Anne-Lise Berg-Hansen", True, "Anne-Lise Berg-Hansen"),
    ("nils lund", True, "Nils Lund"),
    ("ja, Kari Nordmann", True, "Kari Nordmann"),
    ("MARIA DE LA CRUZ", True, "Maria de la Cruz"),
    ("Kari er navnet", True, "Kari"),
])
def test_names_are_taken_whole_and_end_where_the_sentence_goes_on(text, answering, expected):
    assert read_name(text, answering) == expected


@pytest.mark.parametrize("text, answering", [
    ("jeg skal flytte", False),
    ("det er feil", True),
    ("fra Storgata 5, 0155 Oslo", True),
    ("jeg vet ikke", True),
    ("Kari Holm", False),  # a bare name counts only as the answer to the name question
])
def test_no_name_where_there_is_none(text, answering):
    assert read_name(text, answering) is None


# --- corrections -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, part, value, role", [
    ("skrev feil husnummer, det er 12", HOUSE_NUMBER, "12", None),
    ("oj, husnummeret på den nye adressen skal være 14b", HOUSE_NUMBER, "14B", NEW),
    ("postnumret ska vara 41103", POSTCODE, "41103", None),
    ("fel postnummer på gamla adressen, det är 111 22", POSTCODE, "11122", OLD),
])
def test_a_correction_names_the_part_and_its_new_value(text, part, value, role):
    correction = read_address_correction(text)
    assert (correction.part, correction.value, correction.role) == (part, value, role)


def test_a_corrected_address_keeps_the_rest_and_a_new_postcode_takes_the_registers_town():
    house = read_address_correction("skrev feil husnummer, det er 12")
    assert corrected("Storgata 5, 0155 Oslo", house) == "Storgata 12, 0155 Oslo"
    postcode = read_address_correction("postnumret ska vara 41103")
    assert corrected("Storgatan 12, 411 04 Göteborg", postcode) == "Storgatan 12, 41103"


# --- dates -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, dates, ends", [
    ("fra 1. mars til 20. juni", [dt.date(2027, 3, 1), dt.date(2027, 6, 20)], [False, True]),
    ("från 1 februari till 31 maj", [dt.date(2027, 2, 1), dt.date(2027, 5, 31)], [False, True]),
    ("flytter til Bergen 1. mars", [dt.date(2027, 3, 1)], [False]),
    ("midlertidig t.o.m. 30.4", [dt.date(2027, 4, 30)], [True]),
    ("til 20. juni", [dt.date(2027, 6, 20)], [True]),
])
def test_dates_and_the_end_of_a_period(text, dates, ends):
    found = find_dates(text, TODAY)
    assert [f.date for f in found] == dates and [f.ends_period for f in found] == ends


# --- address change --------------------------------------------------------------------------

def test_one_message_with_the_whole_move_fills_every_slot_nb():
    facts = address_change_facts(
        "Hei, jeg heter Kari Holm og flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen den 15. januar, "
        "for godt", ctx())
    assert facts == {"person_name": "Kari Holm", "old_address": "Storgata 5, 0155 Oslo",
                     "new_address": "Bryggen 12, 5003 Bergen", "moving_date": "2027-01-15",
                     "change_type": "permanent", "mail_forwarding": True}


def test_one_message_with_a_temporary_move_fills_every_slot_sv():
    facts = address_change_facts(
        "hej! jag heter Per Strand, flyttar tillfällig från Kungsgatan 5, 111 43 Stockholm till Storgatan 12, "
        "411 04 Göteborg från 1 februari till 31 maj, utan eftersändning", ctx())
    assert facts == {"person_name": "Per Strand", "old_address": "Kungsgatan 5, 11143 Stockholm",
                     "new_address": "Storgatan 12, 41104 Göteborg", "moving_date": "2027-02-01",
                     "end_date": "2027-05-31", "change_type": "temporary", "mail_forwarding": False}


def test_forwarding_is_asked_when_the_message_leaves_other_facts_open():
    facts = address_change_facts("hei, flytter fra Storgata 5, 0155 Oslo til Bryggen 12, 5003 Bergen", ctx())
    assert "mail_forwarding" not in facts and "person_name" not in facts


def test_an_unnamed_address_mid_form_corrects_the_latest_address():
    filled = {"old_address": "Storgata 5, 0155 Oslo", "new_address": "Bryggen 12, 5003 Bergen"}
    facts = address_change_facts("nei vent, det skal være Storgata 5, 9008 Tromsø jo",
                                 ctx("moving_date", filled, "new_address"))
    assert facts == {"new_address": "Storgata 5, 9008 Tromsø"}


@pytest.mark.parametrize("text, requested, expected", [
    ("skrev feil husnummer, det er 12", "moving_date", {"old_address": "Storgata 12, 0155 Oslo"}),
    ("postnummeret på den nye adressen er feil, skal være 5004", "change_type", {"new_address": "Bryggen 12, 5004"}),
    ("nei, datoen er feil, det skal være 20. januar", "address_change_confirmed", {"moving_date": "2027-01-20"}),
    ("nej vänta, namnet är fel, det ska vara Karin Holm", "mail_forwarding", {"person_name": "Karin Holm"}),
])
def test_a_correction_at_any_step_changes_the_field_it_names(text, requested, expected):
    filled = {"person_name": "Karin Holmen", "old_address": "Storgata 5, 0155 Oslo",
              "new_address": "Bryggen 12, 5003 Bergen", "moving_date": "2027-01-15"}
    assert address_change_facts(text, ctx(requested, filled, "old_address")) == expected


@pytest.mark.parametrize("text, requested, expected", [
    ("15.01", "moving_date", {"moving_date": "2027-01-15"}),
    ("kari holm", "person_name", {"person_name": "Kari Holm"}),
    ("til 20. juni", "end_date", {"end_date": "2027-06-20"}),
    ("ja takk", "mail_forwarding", {}),
    ("nei, trenger ikke ettersending", "mail_forwarding", {"mail_forwarding": False}),
    ("ja, eftersänd posten", "mail_forwarding", {"mail_forwarding": True}),
    ("Kari Holm, og jeg flytter 1. mars", "person_name", {"person_name": "Kari Holm", "moving_date": "2027-03-01"}),
])
def test_answers_to_the_question_asked(text, requested, expected):
    assert address_change_facts(text, ctx(requested)) == expected


# --- complaint and booking -------------------------------------------------------------------

def test_a_complaint_message_that_tells_what_happened_is_its_description():
    text = "hei, pakken CP710606451NO kom helt knust, glasset inni var ødelagt. svar meg på kari@example.no"
    facts = complaint_facts(text, ctx())
    assert facts["complaint_type"] == "damaged" and facts["contact"] == "kari@example.no"
    assert "glasset inni var ødelagt" in facts["complaint_description"]
    assert "CP710606451NO" not in facts["complaint_description"]


def test_a_short_complaint_start_has_no_description():
    assert complaint_facts("vill reklamera ett paket", ctx()) == {}
    assert complaint_facts("paketet är skadat", ctx()) == {"complaint_type": "damaged"}


@pytest.mark.parametrize("text, hinted", [
    ("kan dere levere CP710202412NO på fredag ettermiddag?", True),
    ("vill ha RR720202417SE i ett paketskåp", True),
    ("jeg var ikke hjemme, kan dere levere CP710202412NO på nytt", False),
])
def test_a_booking_wish_said_with_the_number(text, hinted):
    facts = booking_facts(text, ctx())
    assert ("delivery_option" in facts) == hinted
    assert all("CP710202412NO" not in value and "RR720202417SE" not in value for value in facts.values())


@pytest.mark.parametrize("text, expected", [
    ("om 2 uker", dt.date(2026, 12, 19)),
    ("vi flyttar om två veckor", dt.date(2026, 12, 19)),
    ("om en måned", dt.date(2027, 1, 5)),
    ("om ti dager", dt.date(2026, 12, 15)),
    ("om tolv veckor", dt.date(2027, 2, 27)),
    ("om noen dager", None),  # not a count: no guess
])
def test_dates_counted_from_today(text, expected):
    assert [f.date for f in find_dates(text, TODAY)] == ([expected] if expected else [])


@pytest.mark.parametrize("text, expected", [
    ("heisann! e flytta te Trondheim, ny adr e Kjøpmannsgata 20, 7013 Trondheim. bodde før i Tollbugata 8, 0152 Oslo",
     {"new_address": "Kjøpmannsgata 20, 7013 Trondheim", "old_address": "Tollbugata 8, 0152 Oslo"}),
    ("hej. flyttar till min pojkvän på Nygatan 3, 852 31 Sundsvall från 10 januari till 30 april",
     {"new_address": "Nygatan 3, 85231 Sundsvall", "moving_date": "2027-01-10", "end_date": "2027-04-30",
      "change_type": "temporary"}),
    ("hei jeg heter Jan-Erik Sæther og skal flytte 1. februar",
     {"person_name": "Jan-Erik Sæther", "moving_date": "2027-02-01"}),
    ("vi flytter fra Elvegata 2, 9008 Tromsø om to uker", {"old_address": "Elvegata 2, 9008 Tromsø",
                                                          "moving_date": "2026-12-19"}),
])
def test_first_messages_as_customers_write_them(text, expected):
    assert address_change_facts(text, ctx()) == expected


# --- flats and floors, ordinals in street names ---------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Möllevångsgatan 12 lgh 1204, 214 20 Malmö", "Möllevångsgatan 12 lgh 1204, 21420 Malmö"),
    ("Hornsgatan 88, 3 tr, 118 21 Stockholm", "Hornsgatan 88, 3 tr, 11821 Stockholm"),
    ("kungsgatan 4 lgh nr 1001 41119 göteborg", "Kungsgatan 4 lgh nr 1001, 41119 göteborg"),
    ("Thorvald Meyers gate 40 leil. 302, 0555 Oslo", "Thorvald Meyers gate 40 leil. 302, 0555 Oslo"),
    ("Kirkegata 3, 4. etg, 0153 Oslo", "Kirkegata 3, 4. etg, 0153 Oslo"),
    ("Tredje Långgatan 9, 413 03 Göteborg", "Tredje Långgatan 9, 41303 Göteborg"),
    ("Andra Långgatan 20, 413 28 Göteborg", "Andra Långgatan 20, 41328 Göteborg"),
])
def test_flat_and_floor_designators_stay_in_the_street_and_are_no_postcode(text, expected):
    assert [a.text for a in find_addresses(text)] == [expected]


def test_a_correction_verb_is_no_street_prefix():
    assert [a.text for a in find_addresses("nej ändra Långgatan 14, 413 27 Göteborg")] == ["Långgatan 14, 41327 Göteborg"]


def test_an_address_with_a_flat_number_passes_the_register_check():
    from bot.identifiers.postcodes import check, parse_address

    checked = check(parse_address("Möllevångsgatan 12 lgh 1204, 214 20 Malmö"))
    assert (checked.street, checked.postcode, checked.town) == ("Möllevångsgatan 12 lgh 1204", "21420", "Malmö")


# --- names said without "jeg heter" ---------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Hallo, Torunn Bergli her. Jeg skal melde flytting", "Torunn Bergli"),
    ("God dag. Carl-Johan af Ugglas här, jag behöver hjälp med en flytt", "Carl-Johan af Ugglas"),
    ("Skal flytte til Bodø i januar. Jeg er Hans Petter Moe.", "Hans Petter Moe"),
    ("Adressändring. Jag är Sara Lind, vi flyttar den 3 februari", "Sara Lind"),
    ("Fullt navn: Randi Dal. Flytter fra Oslo", "Randi Dal"),
    ("namn: Olle Berg", "Olle Berg"),
])
def test_a_name_introduced_without_the_usual_words(text, expected):
    assert read_name(text) == expected


@pytest.mark.parametrize("text", [
    "jeg er sliten av å vente på posten",
    "Jeg er på hytta til neste uke",
    "Det er Nedre Slottsgate 4, 0157 Oslo",
    "Her er den nye adressen: Storgata 5, 0155 Oslo",
    "jag har Storgatan 5",
])
def test_no_name_where_none_is_introduced(text):
    assert read_name(text) is None


def test_a_clause_that_is_only_a_full_name_is_the_name_of_the_move():
    text = "vil endre adresse. Tone Lie, fra Olav Tryggvasons gate 2, 7011 Trondheim til Sandgata 4, 7012 Trondheim"
    assert address_change_facts(text, ctx())["person_name"] == "Tone Lie"


@pytest.mark.parametrize("text", [
    "Hej! Vi flyttar till Uppsala. Stora Torget 1, 753 20 Uppsala",
    "God Morgen! Jeg skal flytte",
    "HEI JEG SKAL FLYTTE. KARI NORDMANN",
])
def test_streets_greetings_and_shouting_are_no_name_clause(text):
    assert "person_name" not in address_change_facts(text, ctx())


@pytest.mark.parametrize("stored, text, requested, expected", [
    ("Jonas Eide", "sorry, Eidé med aksent skal det være", "old_address", "Jonas Eidé"),
    ("Kari Nordman", "etternavnet er feil, det skal være Nordmann", "address_change_confirmed", "Kari Nordmann"),
    ("Lena Ostlund", "oj, Östlund ska det vara", "moving_date", "Lena Östlund"),
    ("Per Hansen", "förnamnet är fel, Pär ska det vara", "address_change_confirmed", "Pär Hansen"),
    ("Per Hansen", "namnet är fel, det ska vara Lisa Holm", "address_change_confirmed", "Lisa Holm"),
])
def test_a_respelt_name_changes_only_the_word_it_respells(stored, text, requested, expected):
    facts = address_change_facts(text, ctx(requested, {"person_name": stored}))
    assert facts["person_name"] == expected


@pytest.mark.parametrize("text", ["gjerne det", "etternavnet", "ja gärna"])
def test_polite_words_and_field_names_are_no_name(text):
    assert read_name(text, answering=True) is None


# --- how long a temporary move lasts ---------------------------------------------------------

@pytest.mark.parametrize("text, moving, end", [
    ("skal bo hos mamma fra 2. januar og tre uker framover", "2027-01-02", "2027-01-23"),
    ("jag jobbar i Luleå i sex veckor från den 10 januari", "2027-01-10", "2027-02-21"),
    ("et par måneder fra 1. februar skal jeg være i Tromsø", "2027-02-01", "2027-04-01"),
    ("från om tio dagar och ett par månader framåt", "2026-12-15", "2027-02-15"),
])
def test_a_duration_gives_the_end_date_of_a_temporary_move(text, moving, end):
    facts = address_change_facts(text, ctx())
    assert (facts["moving_date"], facts["end_date"], facts["change_type"]) == (moving, end, "temporary")


@pytest.mark.parametrize("text", ["flytter om tre uker", "pakken kom for to uker siden", "flyttar om ett par veckor"])
def test_a_date_counted_from_today_is_no_duration(text):
    assert "end_date" not in address_change_facts(text, ctx())


def test_a_duration_answers_the_end_date_question():
    facts = address_change_facts("i fem uker", ctx("end_date", {"moving_date": "2027-01-04", "change_type": "temporary"}))
    assert facts["end_date"] == "2027-02-08"


def test_an_until_date_given_for_the_moving_date_is_the_end():
    assert address_change_facts("til og med 14. mars", ctx("moving_date")) == {"end_date": "2027-03-14"}


@pytest.mark.parametrize("text, expected", [
    ("til slutten av april", dt.date(2027, 4, 30)),
    ("till slutet av februari", dt.date(2027, 2, 28)),
    ("ut januar", dt.date(2027, 1, 31)),
])
def test_the_end_of_a_month(text, expected):
    from bot.identifiers.dates import parse_date

    assert parse_date(text, TODAY) == expected


# --- a delivery wish that reads as tracking --------------------------------------------------

@pytest.mark.parametrize("text", [
    "gidder ikke hente på posten igjen, kan RR720202417SE legges i postkassen",
    "CP710202412NO bør komme på ettermiddagen, er på skolen til tre",
    "går det an å endre leveringen av CP710202412NO",
    "kan paketet lämnas i brevlådan istället? RR720202417SE",
    "jag vill välja när mitt paket ska komma",
    "kan ni leverera hem RR720202417SE, orkar inte gå till ombudet",
])
def test_a_wish_for_another_delivery(text):
    from bot.understanding.facts import asks_for_other_delivery

    assert asks_for_other_delivery(text)


@pytest.mark.parametrize("text", [
    "hvor er pakka mi CP710202412NO",
    "kommer den på torsdag?",
    "pakken ble lagt i postkassen men den er borte",
    "den skulle vært levert hjem i går",
    "var är mitt paket, står att det ska lämnas hos ombud",
    "når kan pakken komme hjem til meg",
])
def test_questions_about_a_parcel_are_no_delivery_wish(text):
    from bot.understanding.facts import asks_for_other_delivery

    assert not asks_for_other_delivery(text)


@pytest.mark.parametrize("text", ["legg den i postkassen da", "lägg det i brevlådan tack", "kör hem den på kvällen"])
def test_a_delivery_wish_said_as_an_order(text):
    from bot.understanding.facts import asks_for_other_delivery

    assert asks_for_other_delivery(text)


def test_having_seen_nothing_in_the_mailbox_is_no_wish():
    from bot.understanding.facts import asks_for_other_delivery

    assert not asks_for_other_delivery("jag har inte sett nåt paket i brevlådan")
