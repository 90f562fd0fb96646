/**
 * The console's style sheet, in the look of Suomi.fi: colours, type and spacing are the
 * Suomi.fi design tokens this sheet uses, copied here from the `suomifi-design-tokens`
 * package (test/unit/admin-style.test.ts checks each against the package, so an update of
 * the package that changes one fails the tests). Copied rather than imported: the package
 * is CommonJS that a bundle cannot trim, 15 KB of both admin functions' cold start for
 * about twenty values. The font stack names Source Sans 3 first, as Suomi.fi does, and
 * falls back to system fonts: no web font is downloaded.
 */
import { createHash } from 'node:crypto';

/** The Suomi.fi design tokens used here, with the package's names (`colors`, `spacing`, body font). */
export const SUOMIFI_TOKENS = {
  colors: {
    whiteBase: 'hsl(0, 0%, 100%)',
    blackBase: 'hsl(0, 0%, 13%)',
    blackLight1: 'hsl(0, 0%, 42%)',
    brandBase: 'hsl(214, 100%, 24%)',
    highlightBase: 'hsl(212, 63%, 45%)',
    highlightDark1: 'hsl(212, 63%, 37%)',
    highlightLight2: 'hsl(212, 63%, 90%)',
    depthDark2: 'hsl(201, 7%, 46%)',
    depthLight1: 'hsl(202, 7%, 80%)',
    depthLight2: 'hsl(202, 7%, 93%)',
    depthLight3: 'hsl(202, 7%, 97%)',
    depthSecondary: 'hsl(215, 100%, 97%)',
    accentSecondary: 'hsl(196, 77%, 44%)',
    alertBase: 'hsl(3, 59%, 43%)',
    alertLight1: 'hsl(0, 59%, 96%)',
    warningLight1: 'hsl(42, 100%, 94%)',
    successBase: 'hsl(166, 90%, 34%)',
    successDark1: 'hsl(165, 90%, 27%)',
  },
  spacing: {
    xxs: '5px',
    xs: '10px',
    s: '15px',
    m: '20px',
    xl: '30px',
    xxxl: '60px',
    insetM: '8px',
    insetL: '10px',
    insetXxl: '20px',
  },
  bodyFontFamily: "'Source Sans 3', 'Helvetica Neue', 'Arial', sans-serif",
} as const;

const c = SUOMIFI_TOKENS.colors;
const s = SUOMIFI_TOKENS.spacing;
const font = SUOMIFI_TOKENS.bodyFontFamily;

export const ADMIN_STYLE = `
:root{color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font-family:${font};font-size:18px;line-height:1.5;color:${c.blackBase};background:${c.depthLight3};overflow-wrap:anywhere}
a{color:${c.highlightDark1}}
a:hover{color:${c.brandBase}}
.top{background:${c.whiteBase};border-top:4px solid ${c.brandBase};border-bottom:1px solid ${c.depthLight1}}
.top-inner{max-width:72rem;margin:0 auto;padding:${s.s} ${s.m};display:flex;flex-wrap:wrap;gap:${s.s};align-items:center;justify-content:space-between}
.brand{font-weight:600;font-size:22px;color:${c.brandBase};text-decoration:none}
.top nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:${s.m};align-items:center}
.top nav a{font-weight:600;text-decoration:none}
.top nav a[aria-current=page]{border-bottom:3px solid ${c.highlightBase}}
main{display:block;max-width:72rem;margin:0 auto;padding:${s.m} ${s.m} ${s.xxxl}}
h1{font-size:32px;line-height:1.2;color:${c.blackBase};margin:${s.m} 0}
h2{font-size:24px;line-height:1.3;margin:${s.xl} 0 ${s.s}}
h3{font-size:20px;margin:${s.m} 0 ${s.xs}}
.panel{background:${c.whiteBase};border:1px solid ${c.depthLight1};border-radius:2px;padding:${s.m};margin:0 0 ${s.m}}
.crumbs{margin:0 0 ${s.xs};font-size:16px}
.lead{font-size:20px}
.muted{color:${c.blackLight1}}
.table-wrap{overflow-x:auto;background:${c.whiteBase};border:1px solid ${c.depthLight1}}
.table-wrap:focus-visible{outline:3px solid ${c.accentSecondary}}
table{border-collapse:collapse;width:100%;font-size:16px}
caption{text-align:left;font-weight:600;padding:${s.xs} ${s.s}}
th,td{text-align:left;vertical-align:top;padding:${s.xs} ${s.s};border-bottom:1px solid ${c.depthLight2}}
thead th{background:${c.depthSecondary};border-bottom:2px solid ${c.depthLight1}}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.results th,table.results td{overflow-wrap:break-word}
.tag{display:inline-block;font-size:14px;font-weight:600;padding:0 ${s.xs};border-radius:2px;border:1px solid currentColor;white-space:nowrap}
.tag-failed,.tag-overdue{color:${c.alertBase};background:${c.alertLight1}}
.tag-no_answer{color:${c.blackBase};background:${c.warningLight1}}
.tag-ok{color:${c.successDark1};background:${c.whiteBase}}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:${s.s};margin:0 0 ${s.m};padding:0;list-style:none}
.stats li{background:${c.whiteBase};border:1px solid ${c.depthLight1};padding:${s.s}}
.stats strong{display:block;font-size:28px;line-height:1.1;color:${c.brandBase}}
.search{display:flex;flex-wrap:wrap;gap:${s.s};align-items:flex-end;margin:0 0 ${s.m}}
.field{margin:0 0 ${s.m}}
label,legend{display:block;font-weight:600;margin:0 0 ${s.xxs}}
.hint{color:${c.blackLight1};font-size:16px;margin:0 0 ${s.xxs}}
input[type=text],input[type=search],input[type=password],input[type=date],input[type=email],select,textarea{font:inherit;font-size:16px;color:${c.blackBase};background:${c.whiteBase};border:1px solid ${c.depthDark2};border-radius:2px;padding:${s.insetM} ${s.insetL};min-height:40px;max-width:100%}
textarea{width:100%;min-height:8rem}
input[type=file]{font:inherit;font-size:16px;max-width:100%}
button,.button{display:inline-block;font:inherit;font-size:16px;font-weight:600;line-height:1.5;color:${c.whiteBase};background:${c.highlightBase};border:1px solid ${c.highlightDark1};border-radius:2px;padding:${s.insetM} ${s.insetXxl};min-height:40px;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:${c.highlightDark1};color:${c.whiteBase}}
button.secondary,.button.secondary{color:${c.highlightDark1};background:${c.whiteBase};border-color:${c.highlightBase}}
button.danger{background:${c.alertBase};border-color:${c.alertBase}}
button.link{background:none;border:0;color:${c.highlightDark1};padding:0;min-height:0;font-weight:600;text-decoration:underline}
:focus-visible{outline:3px solid ${c.accentSecondary};outline-offset:2px}
.notice{border-left:6px solid ${c.successBase};background:${c.whiteBase};padding:${s.s} ${s.m};margin:0 0 ${s.m}}
.error-summary{border-left:6px solid ${c.alertBase};background:${c.alertLight1};padding:${s.s} ${s.m};margin:0 0 ${s.m}}
.error-summary h2{margin-top:0;font-size:20px}
.field-error{color:${c.alertBase};font-weight:600;margin:${s.xxs} 0}
.timeline{list-style:none;margin:0;padding:0;border-left:3px solid ${c.highlightLight2}}
.timeline li{margin:0 0 ${s.s};padding-left:${s.s}}
.timeline time{display:block;font-size:14px;color:${c.blackLight1}}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:${s.m}}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:${s.xxs} ${s.m};margin:0}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
.actions{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:${s.m}}
.actions form{background:${c.whiteBase};border:1px solid ${c.depthLight1};padding:${s.m}}
.confirm{display:flex;gap:${s.xs};align-items:flex-start;margin:${s.xs} 0 ${s.s};font-weight:400}
.confirm input{width:22px;height:22px;flex:none;margin-top:3px}
.actions form.wide{grid-column:1/-1}
.choice{display:flex;gap:${s.xs};align-items:flex-start;margin:0 0 ${s.xs}}
.choice input{width:22px;height:22px;flex:none;margin-top:3px}
.choice label{font-weight:400}
fieldset{border:1px solid ${c.depthLight1};margin:0 0 ${s.m};padding:${s.s} ${s.m}}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:48rem){.cols{grid-template-columns:1fr}h1{font-size:26px}main{padding:${s.s}}dl.facts{grid-template-columns:1fr}}
`;

export const ADMIN_STYLE_HASH = `sha256-${createHash('sha256').update(ADMIN_STYLE, 'utf8').digest('base64')}`;

/** No script, nothing loaded from elsewhere, forms post to this origin only. */
export const ADMIN_CSP = [
  "default-src 'none'",
  `style-src '${ADMIN_STYLE_HASH}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');
