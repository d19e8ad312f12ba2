// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using OffGrid.AspNetCore.Models;

namespace OffGrid.AspNetCore.Audio;

/// <summary>
/// The speech pipelines the audio endpoints call: the registered <see cref="ISpeechToTextClient"/> and
/// <see cref="ITextToSpeechClient"/> (OffGrid.Speech's) at the bottom, then the middleware added with
/// <c>ConfigureSpeechToTextClients</c>/<c>ConfigureTextToSpeechClients</c> (telemetry, quotas…). Each is built once, on first use.
/// </summary>
internal sealed class SpeechClients(IServiceProvider services, IOptions<ModelPipelineOptions> options)
{
    private readonly Lazy<ISpeechToTextClient> _speechToText = new(() =>
    {
        var builder = new SpeechToTextClientBuilder(services.GetRequiredService<ISpeechToTextClient>());
        options.Value.SpeechToTextClient.ForEach(configure => configure(builder));
        return builder.Build(services);
    });

    private readonly Lazy<ITextToSpeechClient> _textToSpeech = new(() =>
    {
        var builder = new TextToSpeechClientBuilder(services.GetRequiredService<ITextToSpeechClient>());
        options.Value.TextToSpeechClient.ForEach(configure => configure(builder));
        return builder.Build(services);
    });

    public ISpeechToTextClient SpeechToText => _speechToText.Value;

    public ITextToSpeechClient TextToSpeech => _textToSpeech.Value;
}
