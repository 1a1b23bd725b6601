// `radarm` CLI entry. (Placeholder until the streaming core lands: see issue 2.)
process.stderr.write('radarm: not built yet\n');
process.exit(2);
