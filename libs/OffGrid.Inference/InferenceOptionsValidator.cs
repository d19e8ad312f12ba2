using Microsoft.Extensions.Options;

namespace OffGrid.Inference;

/// <summary>Validates <see cref="InferenceOptions"/> when the options are first resolved (at start with ValidateOnStart).</summary>
internal sealed class InferenceOptionsValidator : IValidateOptions<InferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, InferenceOptions options)
    {
        if (options.Pool is null)
        {
            return ValidateOptionsResult.Fail("InferenceOptions.Pool must be set.");
        }

        try
        {
            options.Pool.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail($"InferenceOptions.Pool: {ex.Message}");
        }
    }
}
