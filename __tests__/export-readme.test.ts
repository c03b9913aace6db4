import { plainMessage } from '../src/app/export/terraform-folder';

describe("the export README's words for a check that applies no rule", () => {
  test('a plain message is shown as it is', () => {
    const message = "roles has a role named 'gitlab_ci'. Rename the role.";
    expect(plainMessage('roles', { condition: '${true}', errorMessage: message })).toBe(message);
  });

  test('a message that interpolates values is refused, naming the variable: its words would come from parsing HCL', () => {
    expect(() => plainMessage('roles', { condition: '${true}', errorMessage: 'roles has ${jsonencode(keys(var.roles))}.' })).toThrow(
      'The export README cannot show a check of roles: its message interpolates values and it names no rules it applies.',
    );
  });
});
