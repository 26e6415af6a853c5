// The 48 known defects of the original firmware (docs/firmware.md §10), each a knob of the twin.
// `where` is the original file:lines, `reach` the firmware modes in which the defect can show (S = shipped mode 0,
// M1/M2/M3 = boot mode, K = keypad scanned in the interrupt, All = every mode).

export type DefectId = 'D1' | 'D2' | 'D3' | 'D4' | 'D5' | 'D6' | 'D7' | 'D8' | 'D9' | 'D10' | 'D11' | 'D12' | 'D13' | 'D14' | 'D15' | 'D16' | 'D17' | 'D18' | 'D19' | 'D20' | 'D21' | 'D22' | 'D23' | 'D24' | 'D25' | 'D26' | 'D27' | 'D28' | 'D29' | 'D30' | 'D31' | 'D32' | 'D33' | 'D34' | 'D35' | 'D36' | 'D37' | 'D38' | 'D39' | 'D40' | 'D41' | 'D42' | 'D43' | 'D44' | 'D45' | 'D46' | 'D47' | 'D48';

export interface DefectInfo { id: DefectId; where: string; defect: string; symptom: string; reach: string }

export const DEFECTS: readonly DefectInfo[] = [
  { id: 'D1', where: 'token_management.hpp:31; main.cpp:169-179', defect: 'Mode_select is always 0 at boot and never persisted', symptom: 'meter never meters or bills; No Configuration forever; relay permanently ON; free power', reach: 'S' },
  { id: 'D2', where: 'keypad.hpp:188', defect: 'HOLD is tested on the press event, so it is always PRESSED', symptom: 'factory menu impossible; cannot configure', reach: 'S' },
  { id: 'D3', where: 'keypad.hpp:235 + 47-145', defect: 'stale Data[] tail: 3-digit menu codes after a 4-digit password read 0014 etc.', symptom: 'menu codes ignored (blank screen)', reach: '(menu)' },
  { id: 'D4', where: 'keypad.hpp:146, main.cpp:174-184, 194/204', defect: 'mode set from the menu: no ISR, no LoadActivationVariables, sts_mode stays 1', symptom: 'after "configured to STS Mode": no billing, no GSM, no tamper; OpenPAYGO state not loaded', reach: '(menu)' },
  { id: 'D5', where: 'helpers.hpp:41-43', defect: 'keypad scan commented out of the ISR; mode 1 never scans keys', symptom: 'in an operational build, STS entry and A pages are dead', reach: 'M1' },
  { id: 'D6', where: 'sts_token.hpp:168-184; token_management.hpp:35-65', defect: 'accepted tokens never recorded; eeprom_sts_data always 0', symptom: 'unlimited replay of any valid token', reach: 'S' },
  { id: 'D7', where: 'keypad.hpp:234-252', defect: '# re-submits the previous entry (nothing reset)', symptom: 'pressing # repeatedly adds the credit again', reach: 'S' },
  { id: 'D8', where: 'sts_token.hpp:67-166', defect: 'sts_accept sticky until the ISR timeout (never, in mode 0)', symptom: 'after one good token, bad identifier/encoder tokens are accepted with a stale amount; header-failing tokens give no message', reach: 'S' },
  { id: 'D9', where: 'sts_token.hpp:92-100', defect: 'A/e=3 can never be accepted (39/15 = 2.6); the server uses 45', symptom: 'about 1/3 of 3-digit web STS tokens are INVALID', reach: 'S' },
  { id: 'D10', where: 'sts_token.hpp:64-65', defect: 'the meter check subtracts the runtime tariff', symptom: 'valid window moves when a web poll sets the tariff; server tokens (last 5 digits 10070, fixed in token_generation.php) are rejected whenever tariff > 70', reach: 'M1/K' },
  { id: 'D11', where: 'helpers.hpp:88-98', defect: 'fault-clear disjunction is a tautology', symptom: 'OV/UV/low-frequency/overload never trip the relay; only tamper works', reach: 'M1' },
  { id: 'D12', where: 'credit.hpp:28-45', defect: 'relay ON only when credit > 200, OFF when < 1', symptom: 'top-up to ≤ 200 after a cut-off leaves the customer dark', reach: 'M1' },
  { id: 'D13', where: 'credit.hpp:36-43', defect: 'fault with credit > 200 does not clear green', symptom: 'both LEDs lit during tamper', reach: 'M1' },
  { id: 'D14', where: 'helpers.hpp:35-39', defect: 'billing period is 21 ticks (1.05 s) but bills 1 s', symptom: 'energy and credit under-counted by 4.8 %', reach: 'M1' },
  { id: 'D15', where: 'helpers.hpp:16-17, 35-36', defect: 'float millis; wrap at 2^32 ms', symptom: 'billing stops after 49.7 days of uptime; jitter after about 6 days', reach: 'M1' },
  { id: 'D16', where: 'credit.hpp:19-23', defect: 'float32 credit and ENERGY with tiny per-second increments', symptom: 'deduction rounded or lost (e.g. 100 W free above 512 credit at tariff 1); kWh stops rising', reach: 'M1' },
  { id: 'D17', where: 'credit.hpp:22', defect: 'no deduction when billing ≥ creditt', symptom: 'with billing ≥ 1 per tick, credit can stick at ≥ 1 and never cut', reach: 'M1' },
  { id: 'D18', where: 'remote.hpp:106-120', defect: 'failed or odd HTTP body sets tariff = 0; byte indices', symptom: 'free energy after any server error / wrong api_key (empty body) / DB error', reach: 'M1' },
  { id: 'D19', where: 'remote.hpp:124-149', defect: 'success POSTed before credit is persisted; a failed success POST is not retried safely', symptom: 'top-up lost on a power cut in the 1.5 s+ window; duplicate top-ups when the success POST fails', reach: 'M1' },
  { id: 'D20', where: 'remote.hpp:79, 42 [lib]', defect: 'full GPRS detach/attach on every loop, twice on a top-up', symptom: 'long loops (10 s to 5 min), high data use, sluggish relay response', reach: 'M1' },
  { id: 'D21', where: 'main.cpp:222-224; remote.hpp', defect: 'billing uses the last mesure() during long GSM blocking', symptom: 'billed at stale power; credit < 1 but relay still ON for minutes', reach: 'M1' },
  { id: 'D22', where: 'thingsboard.hpp:19-32', defect: 'reconnect() loops forever with 5 s retries', symptom: 'at 23:00 with no MQTT the main loop freezes: relay never cut, no measurement, no top-ups (ISR keeps billing the stale power)', reach: 'M1' },
  { id: 'D23', where: 'thingsboard.hpp:38-52', defect: ' OK printed after fail; modemConnected set even on failure', symptom: 'misleading logs; network never re-waited', reach: 'M1' },
  { id: 'D24', where: 'time_management.hpp:38', defect: 'comma operator: rtcmonth = 10', symptom: 'monthly kWh and billing date always 0', reach: 'M1' },
  { id: 'D25', where: 'lcd_display.hpp:145-149', defect: 'page 6 prints lastmonth_KWH as the "billing date"', symptom: 'wrong field shown', reach: 'M1+A' },
  { id: 'D26', where: 'time_management.hpp:43-46', defect: 'credit saved on every loop iteration during minute 30', symptom: 'EEPROM wear (fast loop: about 5-10 k writes/day; frozen RTC at :30: dead in about 3-4 days); saves missed when the loop takes > 60 s', reach: 'M1' },
  { id: 'D27', where: 'main.cpp:125-128; time_management.hpp:121-123', defect: 'halted RTC is not started', symptom: 'clock frozen: no saves (unless frozen at :30), no ThingsBoard, OpenPAYGO lockouts permanent, time credit never expires', reach: 'All' },
  { id: 'D28', where: 'main.cpp:121-124', defect: 'RTC missing leads to an infinite loop before the relay pulse', symptom: 'boot hangs on Couldn\'t find RTC', reach: 'All' },
  { id: 'D29', where: 'time_management.hpp:126-134', defect: 'first-setup detection relies on NVRAM == 0', symptom: 'the clock may be reset to the build date; the "disconnection" counter counts every reboot', reach: 'All' },
  { id: 'D30', where: 'main.cpp:156-159; AT24CX [lib]', defect: 'float ↔ uint32 EEPROM storage; the >= 0 check is meaningless', symptom: 'virgin EEPROM gives credit 4.29e9 (ovf, infinite); fraction lost at each boot and top-up', reach: 'All' },
  { id: 'D31', where: 'mem_operation.hpp:63-84; lcd_display.hpp:16; sts_token.hpp:25', defect: 'overlapping EEPROM addresses (5/6/8/9/10/11)', symptom: 'PAYG silently disabled after reboot (credit < 256); garbage credit after OpenPAYGO use; tamper zeroes TokenCount', reach: 'M2/M3, M1' },
  { id: 'D32', where: 'AT24CX [lib]', defect: 'missing or busy EEPROM: writes skipped, reads return the stale buffer', symptom: 'credit 0 at boot, top-ups RAM-only, no error shown', reach: 'All' },
  { id: 'D33', where: 'helpers.hpp:47, 62-82; lcd_display.hpp:30, 138', defect: 'blocking, I2C and heap work inside the ISR (String, EEPROM, lcd.begin, delay(20))', symptom: 'loop slowed about 1.5×; I2C collisions with rtc.now() / EEPROM in the loop; possible heap corruption leading to a hang (no watchdog)', reach: 'M1' },
  { id: 'D34', where: 'helpers.hpp:76-82', defect: 'tamper beep is 20 ms every 50 ms inside the ISR', symptom: 'continuous buzz; LCD stuck on TERMINAL COVER; an unconnected J16 gives a permanent fault', reach: 'M1' },
  { id: 'D35', where: 'keypad.hpp:200-217', defect: '21 characters accepted; Data[20] written out of bounds', symptom: '21st key echoed at a garbage position or corrupts adjacent RAM [UNDET]', reach: 'S' },
  { id: 'D36', where: 'keypad.hpp:224-228; helpers.hpp:44-60', defect: 'no timeout in mode 0; buzzer left HIGH after INVALID or USED', symptom: 'buzzer sounds continuously until a digit or * is pressed', reach: 'S' },
  { id: 'D37', where: 'token_management.hpp:43-62', defect: 'used-list scan starts on the pointer itself; clamped toInt compare', symptom: 'corrupted pointer gives a multi-second freeze and false "USED TOKEN" for all m ≥ 2 tokens until reboot', reach: 'S' },
  { id: 'D38', where: 'opaygo_token.hpp:158-161; keypad.hpp:257-266', defect: '9 digits read non-blocking (NO_KEY = −48)', symptom: 'every OpenPAYGO entry is invalid: 10 red blinks, escalating lockout', reach: 'M2/M3' },
  { id: 'D39', where: 'keypad.hpp:265-266; printf', defect: 'debug text on the modem UART', symptom: 'modem flooded with incoming byte = ...; printf logs absent from the field log', reach: 'M2/M3, All' },
  { id: 'D40', where: 'opaygo_token.hpp:94-156', defect: 'relay never switched off in modes 2 and 3; ActiveUntil not enforced; credit only deducted on #', symptom: 'OpenPAYGO meters never disconnect', reach: 'M2/M3' },
  { id: 'D41', where: 'opaygo_token.hpp:146', defect: '"Energy Left" prints energy used', symptom: 'misleading', reach: 'M2' },
  { id: 'D42', where: 'opaygo_token.hpp:20 vs opaygo_decoder.c:72', defect: 'restricted-digit define not visible to the decoder', symptom: 'enabling it breaks all tokens', reach: '(build)' },
  { id: 'D43', where: 'main.cpp:33-35 vs docs/quick-start-guide.md', defect: 'firmware key and starting code differ from the docs; the doc table mislabels ADD tokens as SET/unlock', symptom: 'doc tokens rejected; "set"/"unlock" do not act as documented', reach: 'M2/M3' },
  { id: 'D44', where: 'main.cpp:114', defect: 'literal  modemInfo  label', symptom: 'cosmetic', reach: 'All' },
  { id: 'D45', where: 'main.cpp:78-95', defect: 'boot logo overwritten immediately', symptom: 'logo never visible', reach: 'All' },
  { id: 'D46', where: 'SAM_UART.cpp:26-52', defect: 'fixed 10 ms wait, reads without available(), no RX flush', symptom: 'a late AFE byte desynchronises every later read (V = 655.35, Read failed storm, no billing)', reach: 'All' },
  { id: 'D47', where: 'power.hpp:33-35; helpers.hpp:31-33', defect: 'two different zero thresholds (5 W for current, 15 W for power)', symptom: 'small loads show current but W = 0 and are not billed', reach: 'M1' },
  { id: 'D48', where: 'main.cpp (boot)', defect: 'about 20 s boot, with the relay held in its pre-boot state, then forced ON', symptom: 'compliance "5 s" not met; a cut-off customer briefly regains power after every reboot (mode 1 re-cuts on the first loop)', reach: 'All' },
];

export const DEFECT_IDS: readonly DefectId[] = DEFECTS.map((d) => d.id);

export function isDefectId(s: string): s is DefectId { return (DEFECT_IDS as readonly string[]).includes(s); }
