/** Path aliases for Jest, derived from tsconfig.json so there is one list. */
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.json');

const aliases = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  aliases[`^${alias}$`] = path.join(__dirname, target);
}
module.exports = { aliases };
