// MEAI001: the speech abstractions are experimental in Microsoft.Extensions.AI 10.11.0.
#pragma warning disable MEAI001

using Microsoft.Extensions.AI;
using OffGrid.AspNetCore.Http;
using OffGrid.Speech.Audio;

namespace OffGrid.AspNetCore.Audio;

/// <summary>
/// <c>POST /v1/audio/speech</c>: JSON <c>{model, input, voice, response_format, speed}</c> in, audio out. Formats that
/// can be joined (mp3, opus, aac, pcm) stream sentence by sentence, so the first audio leaves before the text is spoken
/// to the end; wav and flac are sent whole. OpenAI's voice names (alloy, echo…) speak with the server's default voice.
/// Reference: https://platform.openai.com/docs/api-reference/audio/createSpeech.
/// </summary>
internal static class SpeechEndpoint
{
    private static readonly HashSet<string> s_openAiVoices = new(StringComparer.OrdinalIgnoreCase)
    {
        "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer", "verse", "marin", "cedar",
    };

    public static async Task HandleAsync(HttpContext http, SpeechClients speechClients)
    {
        ITextToSpeechClient speech = speechClients.TextToSpeech;
        CancellationToken cancellationToken = http.RequestAborted;
        SpeechRequest request = await JsonBody.ReadAsync<SpeechRequest>(http.Request, cancellationToken);
        if (string.IsNullOrWhiteSpace(request.Input))
        {
            throw ApiException.BadRequest("'input' must hold the text to speak.", "input");
        }

        if (request.StreamFormat is not (null or "audio"))
        {
            throw ApiException.BadRequest("'stream_format' must be 'audio'; server-sent events are not offered.", "stream_format");
        }

        AudioFormat format = AudioFormat.Parse(request.ResponseFormat ?? "mp3");
        var options = new TextToSpeechOptions
        {
            ModelId = request.Model,
            VoiceId = request.Voice is { } voice && !s_openAiVoices.Contains(voice) ? voice : null,
            AudioFormat = format.Name,
            Speed = request.Speed,
        };

        if (format == AudioFormat.Wav || format == AudioFormat.Flac)
        {
            // One header for the whole file: these formats cannot be joined from per-sentence pieces.
            TextToSpeechResponse whole = await speech.GetAudioAsync(request.Input, options, cancellationToken);
            DataContent audio = whole.Contents.OfType<DataContent>().First();
            http.Response.ContentType = audio.MediaType;
            await http.Response.Body.WriteAsync(audio.Data, cancellationToken);
            return;
        }

        // The first chunk is made before the headers go out, so that a bad request still gets its 4xx error body.
        await using IAsyncEnumerator<TextToSpeechResponseUpdate> chunks = speech.GetStreamingAudioAsync(request.Input, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        if (!await chunks.MoveNextAsync())
        {
            throw ApiException.BadRequest("There is nothing to speak in 'input'.", "input");
        }

        http.Response.ContentType = format.MediaType;
        http.Response.Headers["X-Accel-Buffering"] = "no";
        do
        {
            foreach (DataContent piece in chunks.Current.Contents.OfType<DataContent>())
            {
                await http.Response.Body.WriteAsync(piece.Data, cancellationToken);
            }

            await http.Response.Body.FlushAsync(cancellationToken);
        }
        while (await chunks.MoveNextAsync());
    }
}
