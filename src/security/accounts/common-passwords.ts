/**
 * Passwords of at least 10 characters that still appear near the top of breach lists (and the local
 * variants seen at Indian hospitals: the institution, the city, "@123"). Shorter ones are already
 * refused by the length rule. Compared in lower case. A small list on purpose: it stops the guesses
 * an attacker tries first, without pretending to be a breach corpus.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '1234567890', '0123456789', '12345678910', '123456789a', '1234567890a', '1q2w3e4r5t', '1qaz2wsx3edc',
  'qwertyuiop', 'qwerty1234', 'qwerty12345', 'asdfghjkl1', 'zxcvbnm123', 'abcd123456', 'abc1234567',
  'abcdefghij', 'aaaaaaaaaa', '1111111111', '0000000000', '9876543210', 'iloveyou12', 'iloveyou123',
  'password12', 'password123', 'password1234', 'password@1', 'password@12', 'password@123', 'p@ssw0rd123',
  'passw0rd123', 'welcome123', 'welcome@123', 'welcome1234', 'admin12345', 'admin@1234', 'admin@12345',
  'administrator', 'letmein123', 'changeme123', 'changeme@123', 'football123', 'sunshine123', 'princess123',
  'india@1234', 'india12345', 'bharat@123', 'mumbai@123', 'delhi@1234', 'newdelhi123', 'hospital123',
  'hospital@123', 'hospital@1234', 'aiims@1234', 'aiims12345', 'doctor@123', 'doctor1234', 'nurse@1234',
  'patient123', 'medical123', 'nirantar123', 'nirantar@123', 'ganesh@123', 'krishna@123', 'jaishriram',
  'jaihind123', 'omsairam123', 'sachin@123', 'computer123', 'internet123', 'superman123', 'monkey12345',
  'dragon12345', 'trustno1234', 'baseball123', 'starwars123', 'whatever123', 'qazwsxedcrfv',
]);
