/**
 * Was die App auf Deutsch zu jedem Grund sagt, aus dem der Server etwas ablehnt (`error.reason`,
 * REFUSALS in @burrow/api). The German of refusals-en.ts: same reasons, same {{values}}.
 */
import type { RefusalReason } from '@burrow/api';

export const refusalsDe: Record<RefusalReason, string> = {
  invalid_request: 'Die App hat etwas gesendet, das der Server nicht annehmen konnte. Lade die Seite neu und versuche es noch einmal.',
  json_invalid: 'Die App hat etwas gesendet, das der Server nicht lesen konnte. Lade die Seite neu und versuche es noch einmal.',
  url_invalid: 'Diese Adresse ist ungültig. Prüfe den Link und versuche es noch einmal.',
  body_too_large: 'Das ist zu groß zum Senden.',
  body_too_slow: 'Das Senden hat über diese Verbindung zu lange gedauert und wurde abgebrochen. Versuche es noch einmal, wenn möglich über eine schnellere Verbindung.',
  content_type_wrong: 'Die App hat etwas gesendet, das der Server nicht lesen konnte. Lade die Seite neu und versuche es noch einmal.',
  no_route: 'Der Server kennt diese Anfrage nicht. Lade die Seite neu, um die neueste Version von Burrow zu bekommen.',
  protocol_rejected: 'Eine Nachricht oder Familienliste hat die Sicherheitsprüfung nicht bestanden und wurde nicht verwendet.',
  too_many_requests: 'Zu viele Anfragen in kurzer Zeit. Warte {{seconds}} und versuche es dann noch einmal.',
  too_many_attempts: 'Zu viele Versuche in kurzer Zeit. Warte {{seconds}} und versuche es dann noch einmal.',
  unusual_activity: 'Ungewöhnliche Aktivität von diesem Browser oder Netzwerk. Versuche es in {{minutes}} Min. noch einmal.',
  cross_origin: 'Diese Anfrage kam von einer anderen Website und wurde abgelehnt. Öffne Burrow über seine eigene Adresse.',

  sign_in_required: 'Melde dich zuerst an.',
  session_ended: 'Du wurdest abgemeldet. Melde dich wieder an.',
  session_not_found: 'Diese Anmeldung gibt es nicht mehr. Lade die Liste neu.',
  credentials_wrong: 'E-Mail-Adresse oder Passwort ist falsch.',
  authorization_malformed: 'Die Anmeldung, die diese App gesendet hat, ist ungültig. Melde dich wieder an.',
  device_header_required: 'Dieser Browser ist noch nicht als Gerät eingerichtet. Lade die Seite neu.',
  device_header_invalid: 'Das Gerät dieses Browsers ist ungültig. Lade die Seite neu.',
  device_not_yours: 'Das Gerät dieses Browsers gehört zu einem anderen Konto. Melde dich ab und wieder an.',
  device_exists: 'Dieses Gerät ist schon registriert.',
  key_proof_invalid: 'Die Schlüssel dieses Browsers haben die Prüfung nicht bestanden. Lade die Seite neu und versuche es noch einmal.',
  second_factor_required:
    'Deine Familie möchte, dass alle die zweistufige Anmeldung nutzen. Füge unter Sicherheit eine Authenticator-App oder einen Passkey hinzu und versuche es dann noch einmal.',
  password_reset_required:
    'Nach einem Sicherheitsvorfall muss für dieses Konto ein neues Passwort gewählt werden, bevor du dich anmelden kannst. Wir haben dir einen Link gemailt (oder nutze „Passwort vergessen?“).',
  password_short_only_factor:
    'Dieses Passwort ist kürzer als {{min}} Zeichen, und das reicht allein nicht aus. Wir haben dir einen Link gemailt, um ein längeres zu wählen (oder nutze „Passwort vergessen?“).',

  email_invalid: 'Das ist keine E-Mail-Adresse.',
  link_invalid: 'Dieser Link ist ungültig: Er wurde schon benutzt, ist abgelaufen oder falsch abgetippt. Fordere einen neuen an.',
  password_too_short:
    'Das Passwort muss mindestens {{min}} Zeichen haben (es hat {{length}}). Ein kurzer Satz oder vier, fünf Wörter ohne Zusammenhang eignen sich gut.',
  password_too_long: 'Das Passwort darf höchstens {{max}} Zeichen haben.',
  password_bad_character:
    'Das Passwort enthält einen Tabulator, einen Zeilenumbruch oder ein anderes unsichtbares Zeichen. Buchstaben, Ziffern, Symbole und Leerzeichen sind alle erlaubt.',
  password_common:
    'Dieses Passwort steht auf einer Liste häufiger und geleakter Passwörter, die Angreifer zuerst ausprobieren. Ein kurzer Satz oder vier, fünf Wörter ohne Zusammenhang eignen sich gut.',
  password_guessable:
    'Dieses Passwort wäre zu leicht zu erraten. Ein kurzer Satz oder vier, fünf Wörter ohne Zusammenhang eignen sich gut und sind leicht zu merken.',
  password_breached:
    'Dieses Passwort ist in einem Datenleck aufgetaucht ({{count}}-mal), Angreifer werden es also ausprobieren. Wähle ein anderes.',
  password_wrong: 'Dieses Passwort ist nicht richtig.',
  current_password_wrong: 'Das aktuelle Passwort ist falsch.',
  reset_code_wrong:
    'E-Mail-Adresse und Wiederherstellungscode passen nicht zusammen. Prüfe den Code (jeder gilt nur einmal) oder setze das Passwort per E-Mail zurück.',
  recovery_code_wrong: 'Dieser Wiederherstellungscode ist keiner der unbenutzten Codes dieses Kontos. Jeder Code gilt nur einmal.',
  recovery_code_just_used: 'Dieser Wiederherstellungscode wurde gerade benutzt. Nimm einen anderen.',

  sign_in_expired: 'Die Anmeldung hat zu lange gedauert oder war schon abgeschlossen. Melde dich wieder an.',
  code_wrong: 'Dieser Code stimmt nicht. Gib die 6 Ziffern ein, die deine App gerade zeigt, oder nimm einen Wiederherstellungscode.',
  code_required:
    'Dein Konto nutzt die zweistufige Anmeldung: Gib den 6-stelligen Code aus deiner App oder einen deiner Wiederherstellungscodes ein.',
  password_or_code_required: 'Gib dein Passwort oder einen aktuellen Code ein.',
  password_or_code_wrong: 'Passwort oder Code ist nicht richtig.',
  two_step_on: 'Die zweistufige Anmeldung ist schon an. Schalte sie zuerst aus, um eine neue App einzurichten.',
  two_step_off: 'Die zweistufige Anmeldung ist nicht an.',
  two_step_off_needs_longer_password:
    'Dein Passwort ist kürzer als {{min}} Zeichen, und das reicht allein nicht aus. Ändere es zuerst in ein längeres und schalte dann die zweistufige Anmeldung aus.',
  own_second_factor_required: 'Schalte zuerst für dein eigenes Konto die zweistufige Anmeldung ein oder füge einen Passkey hinzu.',
  passkey_request_expired: 'Die Passkey-Anfrage ist abgelaufen. Versuche es noch einmal.',
  passkey_not_verified: 'Der Passkey konnte nicht registriert werden. Versuche es noch einmal.',
  passkey_exists: 'Dieser Passkey ist schon registriert.',
  passkey_wrong: 'Dieser Passkey konnte nicht geprüft werden. Versuche es noch einmal oder melde dich mit deinem Passwort an.',
  passkey_name_required: 'Gib dem Passkey einen Namen, etwa „Mein Handy“.',
  passkey_not_found: 'Diesen Passkey gibt es nicht mehr. Lade die Seite neu.',

  family_not_found: 'Diese Familie gibt es nicht, oder du bist kein Mitglied mehr.',
  family_id_taken: 'Die Familie konnte nicht eingerichtet werden. Bitte versuche es noch einmal.',
  guardian_only: 'Das kann nur eine erziehungsberechtigte Person dieser Familie.',
  guardian_device_required:
    'Das kann nur ein Browser, der in dieser Familie als erziehungsberechtigt freigegeben ist. Bitte eine erziehungsberechtigte Person, ihn unter Familie freizugeben.',
  guardian_device_exists:
    'Eine andere erziehungsberechtigte Person dieser Familie hat noch ein freigegebenes Gerät: Sie kann diesen Browser unter Familie freigeben.',
  last_guardian:
    'Du bist die einzige erziehungsberechtigte Person einer Familie, und eine Familie behält immer eine. Mache zuerst ein anderes Mitglied erziehungsberechtigt (Seite Familie: eines seiner Geräte als erziehungsberechtigt freigeben) oder lösche die Familie (Seite Familie: Diese Familie löschen). Lösche dann dein Konto.',
  roster_needs_guardian:
    'Eine Familie behält immer mindestens eine erziehungsberechtigte Person: Mache zuerst ein anderes Mitglied erziehungsberechtigt, bevor du die letzte entfernst.',
  child_not_found: 'Das Profil dieses Kindes gibt es nicht mehr. Lade die Seite neu.',
  child_has_toys:
    'Mit diesem Kind sind noch Spielzeuge gekoppelt ({{count}}). Entkopple sie zuerst auf der Seite Spielzeuge und lösche dann das Profil.',
  member_not_found: 'Diese Person ist kein Mitglied mehr und wartet auch nicht auf Aufnahme. Lade die Seite neu.',
  invitation_unknown: 'Dieser Einladungscode ist ungültig. Bitte um einen neuen.',
  invitation_used: 'Diese Einladung wurde schon benutzt. Bitte um eine neue.',
  invitation_expired: 'Diese Einladung ist abgelaufen. Bitte um eine neue.',
  invitation_not_found: 'Diese Einladung wurde schon benutzt oder zurückgezogen. Lade die Seite neu.',
  invitation_ttl_too_long: 'Eine Einladung gilt höchstens {{days}} Tage.',
  blocked_by_family: 'Eine erziehungsberechtigte Person dieser Familie hat dieses Konto gesperrt.',
  already_member: 'Du bist schon Mitglied dieser Familie.',
  already_asked: 'Du hast schon um Aufnahme in diese Familie gebeten; eine erziehungsberechtigte Person entscheidet.',
  join_request_not_found: 'Diese Bitte um Aufnahme wartet nicht mehr. Lade die Seite neu.',
  cannot_block_self: 'Du kannst dich nicht selbst sperren.',
  not_blocked: 'Dieses Konto ist nicht gesperrt.',
  activity_kind_unknown: 'Das Aktivitätsprotokoll hat keine Einträge der Art „{{kind}}“.',
  notice_not_found: 'Diese Mitteilung gibt es nicht mehr.',

  roster_changed: 'Die Familie hat sich inzwischen geändert. Lade die Seite neu und versuche es noch einmal.',
  roster_invalid: 'Die Familienliste dieses Browsers wurde nicht angenommen. Lade die Seite neu und versuche es noch einmal.',
  roster_version_unknown: 'Die Familie hat sich inzwischen geändert. Lade die Seite neu und versuche es noch einmal.',
  roster_device_unknown: 'Ein Gerät in der Familienliste ist nicht registriert. Lade die Seite neu und versuche es noch einmal.',
  roster_keys_mismatch: 'Die Schlüssel eines Geräts in der Familienliste passen nicht. Lade die Seite neu und versuche es noch einmal.',
  roster_toy_not_paired: 'Ein Spielzeug in der Familienliste ist nicht mit dieser Familie gekoppelt. Lade die Seite neu.',
  roster_creator_only: 'Eine neue Familie beginnt nur mit deinem eigenen Gerät. Lade die anderen danach ein.',
  roster_lists_blocked: 'Die Familienliste nennt jemanden, den diese Familie gesperrt hat. Hebe die Sperre zuerst auf.',
  roster_lists_non_member:
    'Die Familienliste nennt jemanden, der kein Mitglied ist. Lade die Person ein und gib zuerst ihre Bitte um Aufnahme frei.',
  device_not_in_roster: 'Dieser Browser steht nicht in der Familienliste. Bitte eine erziehungsberechtigte Person, ihn unter Familie freizugeben.',
  wrong_family: 'Das gehört zu einer anderen Familie. Lade die Seite neu.',
  signer_not_caller: 'Dieser Browser hat nicht unterschrieben, was er gesendet hat. Lade die Seite neu und versuche es noch einmal.',
  signature_invalid: 'Eine Signatur ließ sich nicht prüfen und wurde deshalb nicht verwendet.',
  record_malformed: 'Die App hat einen Eintrag gesendet, den der Server nicht annehmen konnte. Lade die Seite neu und versuche es noch einmal.',
  record_too_large: 'Das ist zu groß zum Speichern. Wenn ein Foto dabei ist, wähle ein kleineres.',
  record_from_future: 'Die Uhr dieses Geräts scheint vorzugehen. Prüfe Datum und Uhrzeit und versuche es dann noch einmal.',
  key_epoch_taken: 'Die Schlüssel dieses Geräts wurden schon erneuert.',
  successor_invalid: 'Die neuen Schlüssel dieses Geräts sind noch nicht registriert. Lade die Seite neu und versuche es noch einmal.',
  succession_not_requested: 'Es wartet keine Erneuerung der Schlüssel dieses Geräts. Lade die Seite neu.',

  toy_not_found: 'Dieses Spielzeug gehört nicht mehr zu dieser Familie. Lade die Seite neu.',
  toy_not_in_family: 'Das ist kein Spielzeug dieser Familie.',
  toy_not_paired: 'Dieses Spielzeug ist nicht gekoppelt.',
  toy_exists: 'Ein Spielzeug mit diesen Schlüsseln ist schon registriert.',
  toy_already_claimed: 'Dieses Spielzeug wurde gerade von jemand anderem gekoppelt.',
  toy_token_required: 'Das kann nur ein Spielzeug.',
  toy_token_unknown: 'Der Server kennt dieses Spielzeug nicht mehr. Kopple es neu.',
  pairing_code_unknown:
    'Kein Spielzeug wartet mit diesem Code auf die Kopplung. Halte den Kopplungsknopf des Spielzeugs gedrückt und nimm den Code, den es jetzt zeigt.',
  pairing_code_taken: 'Dieser Kopplungscode wird schon verwendet. Erzeuge am Spielzeug einen neuen.',
  pairing_code_changed: 'Der Kopplungscode des Spielzeugs hat sich inzwischen geändert. Nimm den Code, den es jetzt zeigt.',
  settings_invalid: 'Diese Spielzeug-Einstellungen wurden nicht angenommen. Lade die Seite neu und versuche es noch einmal.',
  settings_outdated: 'Das Spielzeug hat neuere Einstellungen (Version {{version}}). Lade die Seite neu und versuche es noch einmal.',
  favourites_full: 'Dieses Spielzeug behält {{slots}} Lieblingsnachrichten: Gib eine frei, bevor du eine weitere behältst.',

  message_not_found: 'Diese Nachricht gibt es nicht mehr: Sie wurde vielleicht gelöscht oder ist abgelaufen.',
  message_not_for_toy: 'Diese Nachricht wurde nicht an dieses Spielzeug gesendet.',
  message_audio_missing: 'Die Aufnahme dieser Nachricht ist nicht mehr da.',
  message_already_sent: 'Diese Nachricht wurde schon gesendet.',
  message_id_taken: 'Diese Nachricht wurde schon gesendet.',
  send_not_allowed: 'Du darfst nicht an das Spielzeug senden. Eine erziehungsberechtigte Person kann es unter Familie erlauben.',
  send_rate_limited: 'Du hast in den letzten {{minutes}} Minuten {{count}} Nachrichten gesendet. Warte ein wenig, bevor du weitere sendest.',
  delete_not_allowed: 'Nur wer die Nachricht gesendet hat oder eine erziehungsberechtigte Person der Familie kann sie löschen.',
  recipient_invalid: 'In der Familie hat sich inzwischen etwas geändert. Lade die Seite neu und sende noch einmal.',
  recipient_key_stale: 'Jemand in der Familie hat inzwischen seine Schlüssel erneuert. Sende noch einmal.',
  review_needs_guardians: 'Diese Nachricht muss von einer erziehungsberechtigten Person geprüft werden. Lade die Seite neu und sende noch einmal.',
  review_not_found: 'Diese Nachricht wartet nicht mehr auf Prüfung.',
  review_toy_mismatch: 'Diese Nachricht wartet auf diesem Spielzeug nicht auf Prüfung. Lade die Seite neu.',
  review_incomplete: 'Diese Nachricht wartet auf mehr Spielzeugen, als freigegeben wurden. Lade die Seite neu und versuche es noch einmal.',
  review_already_decided: 'Eine andere erziehungsberechtigte Person hat über diese Nachricht schon entschieden.',
  blob_missing: 'Die Aufnahme ist nicht angekommen. Sende noch einmal.',
  blob_empty: 'Die Aufnahme ist leer. Nimm noch einmal auf.',
  blob_hash_mismatch: 'Die Aufnahme wurde unterwegs beschädigt. Sende noch einmal.',
  blob_size_mismatch: 'Die Aufnahme wurde unterwegs beschädigt. Sende noch einmal.',
  family_storage_full:
    'Der Speicher dieser Familie ist voll ({{usedMiB}} von {{limitMiB}} MiB belegt). Lösche alte Nachrichten, um Platz zu schaffen.',

  ticket_unknown: 'Die Live-Verbindung konnte nicht starten. Lade die Seite neu.',
  ticket_expired: 'Die Live-Verbindung konnte nicht starten. Lade die Seite neu.',
  ticket_other_device: 'Die Live-Verbindung konnte nicht starten. Lade die Seite neu.',
  websocket_required: 'Die Live-Verbindung konnte nicht starten. Lade die Seite neu.',

  operator_token_required: 'Das kann nur der Betreiber dieses Servers.',
  uploads_off: 'Das kann nur der Betreiber dieses Servers.',
  bundle_invalid: 'Das ist kein gültiges Softwarepaket für das Spielzeug.',
  update_exists: 'Diese Version der Spielzeug-Software ist schon gespeichert.',
  update_not_found: 'Diese Version der Spielzeug-Software ist nicht verfügbar.',
};
