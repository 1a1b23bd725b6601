// Runs a notebook's code cells in order in one fresh Python process, from the notebook's folder, the way
// Jupyter would (the last expression of a cell is shown) — nbconvert is not needed. Returns each code
// cell's printed text, or throws with the failing cell's traceback.
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const RUNNER = String.raw`
import ast, contextlib, io, json, sys, traceback
nb = json.load(open(sys.argv[1], encoding="utf-8"))
ns = {"__name__": "__main__"}
outs = []
for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
    src = "".join(cell["source"])
    buf = io.StringIO()
    try:
        tree = ast.parse(src)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(buf):
            exec(compile(tree, "<cell-%d>" % i, "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell-%d>" % i, "eval"), ns)
                if value is not None:
                    print(repr(value))
    except Exception:
        sys.stderr.write("code cell %d failed:\n%s\n%s" % (i, src, traceback.format_exc()))
        sys.exit(1)
    outs.append(buf.getvalue())
sys.stdout.write(json.dumps(outs))
`;

export function runNotebook(file: string, python = process.env.RADARM_TEST_PYTHON || '/usr/bin/python3'): string[] {
  const out = execFileSync(python, ['-c', RUNNER, path.basename(file)], {
    cwd: path.dirname(file),
    encoding: 'utf8',
    // Figures render off-screen; Plotly's fig.show() "opens" a browser that is `true`.
    env: { ...process.env, MPLBACKEND: 'Agg', BROWSER: 'true' },
  });
  return JSON.parse(out) as string[];
}
