using Microsoft.Extensions.Options;

namespace OffGrid.Distribution;

/// <summary>Validates <see cref="DistributionOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class DistributionOptionsValidator : IValidateOptions<DistributionOptions>
{
    public ValidateOptionsResult Validate(string? name, DistributionOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
