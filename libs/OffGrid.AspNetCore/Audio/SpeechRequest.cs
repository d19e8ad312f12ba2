using System.Text.Json.Serialization;

namespace OffGrid.AspNetCore.Audio;

/// <summary>The JSON body of <c>POST /v1/audio/speech</c>.</summary>
internal sealed class SpeechRequest
{
    [JsonPropertyName("model")]
    public string? Model { get; set; }

    [JsonPropertyName("input")]
    public string? Input { get; set; }

    [JsonPropertyName("voice")]
    public string? Voice { get; set; }

    [JsonPropertyName("response_format")]
    public string? ResponseFormat { get; set; }

    [JsonPropertyName("speed")]
    public float? Speed { get; set; }

    [JsonPropertyName("stream_format")]
    public string? StreamFormat { get; set; }

    [JsonPropertyName("instructions")]
    public string? Instructions { get; set; }
}
