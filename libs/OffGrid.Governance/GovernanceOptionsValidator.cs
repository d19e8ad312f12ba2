using Microsoft.Extensions.Options;

namespace OffGrid.Governance;

/// <summary>Validates <see cref="GovernanceOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class GovernanceOptionsValidator : IValidateOptions<GovernanceOptions>
{
    public ValidateOptionsResult Validate(string? name, GovernanceOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
