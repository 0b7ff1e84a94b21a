/**
 * Every text a person sees goes through t(): this scans the web app's and the toy simulator's
 * components for JSX text and for string literals in attributes people read or hear (aria-label,
 * title, placeholder, alt, …) or shown as a JSX child ({busy ? 'Saving…' : 'Save'}), and fails on
 * any that is not on the short list of what is never translated (the brand name, symbols).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const src = fileURLToPath(new URL('..', import.meta.url));

/** Attributes whose value a person reads or a screen reader speaks. */
const SPOKEN = new Set([
  'aria-label',
  'aria-description',
  'aria-placeholder',
  'aria-roledescription',
  'aria-valuetext',
  'title',
  'placeholder',
  'alt',
  'label',
]);

/**
 * What stays as it is in every language: the brand name, and the sample pairing code a placeholder
 * shows (ABC123-DEFG-HJKM-NPQR: the code's shape, not words).
 */
const UNTRANSLATED = [/\bBurrow\b/g, /\b[A-Z0-9]{6}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b/g];

/** Letters make a text translatable; digits, punctuation and symbols (·, ★, –:––, %) do not. */
function needsTranslation(text: string): boolean {
  return /\p{L}/u.test(UNTRANSLATED.reduce((rest, pattern) => rest.replace(pattern, ''), text));
}

function componentFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return componentFiles(path);
    return name.endsWith('.tsx') ? [path] : [];
  });
}

/** The string parts of an expression a JSX child or attribute shows: a ? 'x' : 'y', a ?? 'x', `x ${y}`. */
function shownStrings(node: ts.Expression): ts.Node[] {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node];
  if (ts.isTemplateExpression(node)) {
    return [node.head, ...node.templateSpans.map((s) => s.literal)].some((p) => needsTranslation(p.text))
      ? [node]
      : [];
  }
  if (ts.isParenthesizedExpression(node)) return shownStrings(node.expression);
  if (ts.isConditionalExpression(node))
    return [...shownStrings(node.whenTrue), ...shownStrings(node.whenFalse)];
  if (ts.isBinaryExpression(node)) {
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken)
      return [...shownStrings(node.left), ...shownStrings(node.right)];
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return shownStrings(node.right);
    if (op === ts.SyntaxKind.PlusToken) return [...shownStrings(node.left), ...shownStrings(node.right)];
  }
  return [];
}

function literalText(node: ts.Node): string {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isJsxText(node))
    return node.text;
  return node.getText();
}

/** "name:line: text" for every untranslated text a person would see in this component source. */
function untranslatedTexts(name: string, text: string): string[] {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: string[] = [];
  const report = (node: ts.Node): void => {
    const text = literalText(node);
    if (!needsTranslation(text)) return;
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${name}:${String(line + 1)}: ${text.replace(/\s+/g, ' ').trim()}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node);
    else if (ts.isJsxExpression(node) && node.expression && !ts.isJsxAttribute(node.parent)) {
      shownStrings(node.expression).forEach(report);
    } else if (ts.isJsxAttribute(node) && SPOKEN.has(node.name.getText(source)) && node.initializer) {
      const init = node.initializer;
      if (ts.isStringLiteral(init)) report(init);
      else if (ts.isJsxExpression(init) && init.expression) shownStrings(init.expression).forEach(report);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

void test('no text a person sees bypasses translation (JSX text, spoken attributes, shown literals)', () => {
  const files = componentFiles(src);
  assert.ok(files.length > 30, `found only ${String(files.length)} components: is the folder still right?`);
  const found = files.flatMap((file) => untranslatedTexts(relative(src, file), readFileSync(file, 'utf8')));
  assert.deepEqual(found, []);
});

void test('the check sees JSX text, spoken attributes and shown literals, and passes symbols and the brand', () => {
  // The shapes the pages use: a change that stops the scanner seeing one of them fails here.
  const sample = [
    'const A = () => <p title="Hello there">Welcome home</p>;',
    "const B = ({ busy }: { busy: boolean }) => <button aria-label={'Close it'}>{busy ? 'Saving…' : t('x')}</button>;",
    'const C = ({ n }: { n: number }) => <input placeholder={`Mum ${String(n)}`} className="wide" />;',
    'const D = () => <span aria-hidden="true" className="Big Title">★ · 3 – Burrow {t(\'y\')}</span>;',
  ].join('\n');
  assert.deepEqual(untranslatedTexts('probe.tsx', sample), [
    'probe.tsx:1: Hello there',
    'probe.tsx:1: Welcome home',
    'probe.tsx:2: Close it',
    'probe.tsx:2: Saving…',
    'probe.tsx:3: `Mum ${String(n)}`',
  ]);
});
