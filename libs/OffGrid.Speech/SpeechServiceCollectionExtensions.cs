using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OffGrid.Hub.Store;
using OffGrid.Speech;
using OffGrid.Speech.Synthesis;
using OffGrid.Speech.Synthesis.Piper;
using OffGrid.Speech.Transcription;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers OffGrid's speech clients in a service collection.</summary>
public static class SpeechServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="SpeechOptions"/> (validated at start), an <see cref="ISpeechToTextClient"/> over every Whisper model
    /// of the OffGrid store (<see cref="PooledSpeechToTextClient"/>, pulling models on first use) and an
    /// <see cref="ITextToSpeechClient"/> over the installed engines (<see cref="CompositeTextToSpeechClient"/>: Piper voices
    /// from the store first, then espeak-ng). Needs
    /// <c>AddOffGridHub</c> for the model store.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options, after the app's <c>Speech</c> configuration section is bound.</param>
    /// <returns>The same service collection.</returns>
    /// <remarks>Call while building the container; not thread-safe, like all service registration.</remarks>
    public static IServiceCollection AddOffGridSpeech(this IServiceCollection services, Action<SpeechOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        // An app's configuration (a "Speech" section) applies when the app has one; code settings win over it.
        OptionsBuilder<SpeechOptions> options = services.AddOptions<SpeechOptions>()
            .Configure<IServiceProvider>((o, sp) => sp.GetService<IConfiguration>()?.GetSection(SpeechOptions.SectionName).Bind(o));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SpeechOptions>, SpeechOptionsValidator>());
        services.TryAddSingleton<ISpeechToTextClient>(provider =>
        {
            SpeechOptions settings = provider.GetRequiredService<IOptions<SpeechOptions>>().Value;
            return new PooledSpeechToTextClient(provider.GetRequiredService<ModelStore>(), settings.TranscriptionModel, settings.Transcription, provider.GetService<ILoggerFactory>());
        });
        services.TryAddSingleton<ITextToSpeechClient>(provider =>
        {
            SpeechOptions settings = provider.GetRequiredService<IOptions<SpeechOptions>>().Value;
            return new CompositeTextToSpeechClient(
                [
                    new PiperTextToSpeechClient(provider.GetRequiredService<ModelStore>(), settings.Piper, provider.GetService<ILogger<PiperTextToSpeechClient>>()),
                    new EspeakTextToSpeechClient(settings.Espeak),
                ],
                settings.DefaultVoice);
        });
        return services;
    }
}
