using Microsoft.Extensions.Options;

namespace OffGrid.Hub.References;

/// <summary>Validates <see cref="ModelResolverOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class ModelResolverOptionsValidator : IValidateOptions<ModelResolverOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelResolverOptions options)
    {
        IReadOnlyList<string> errors = options.Validate();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
