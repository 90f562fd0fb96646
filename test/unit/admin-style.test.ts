import { suomifiDesignTokens } from 'suomifi-design-tokens';
import { describe, expect, it } from 'vitest';
import { ADMIN_STYLE, SUOMIFI_TOKENS } from '../../functions/admin/style.ts';

describe("the console's Suomi.fi tokens", () => {
  it('are the values of the suomifi-design-tokens package', () => {
    for (const [name, value] of Object.entries(SUOMIFI_TOKENS.colors)) {
      expect(value, `colors.${name}`).toBe(
        suomifiDesignTokens.colors[name as keyof typeof suomifiDesignTokens.colors],
      );
    }
    for (const [name, value] of Object.entries(SUOMIFI_TOKENS.spacing)) {
      expect(value, `spacing.${name}`).toBe(
        suomifiDesignTokens.spacing[name as keyof typeof suomifiDesignTokens.spacing],
      );
    }
    expect(SUOMIFI_TOKENS.bodyFontFamily).toBe(suomifiDesignTokens.values.typography.bodyText.fontFamily);
  });

  it('leave no token unfilled in the style sheet', () => {
    expect(ADMIN_STYLE).not.toContain('undefined');
    expect(ADMIN_STYLE).toContain(`color:${suomifiDesignTokens.colors.blackBase}`);
  });
});
