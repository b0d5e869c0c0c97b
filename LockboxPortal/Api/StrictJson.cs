using System.Text.Json;
using System.Text.Json.Serialization;

namespace LockboxPortal.Api;

/// <summary>
/// How the API reads JSON: exactly what the contract says, or a 400 problem. A key given twice, a key in another
/// casing (<c>TenantId</c> for <c>tenantId</c>), a key the contract does not have, and an enum value that is not one
/// of its names (<c>"read,readWrite"</c>, <c>"Read"</c>, <c>1</c>) are refused, so what the portal acts on is never
/// a guess at what the caller meant.
/// </summary>
public static class StrictJson
{
    public static void Apply(JsonSerializerOptions options)
    {
        options.PropertyNameCaseInsensitive = false;
        options.AllowDuplicateProperties = false;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.Converters.Add(new StrictEnumConverterFactory());
    }

    private sealed class StrictEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(StrictEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    /// <summary>One enum, read and written by its camelCase names only.</summary>
    private sealed class StrictEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private static readonly Dictionary<string, T> ByName =
            Enum.GetValues<T>().ToDictionary(v => JsonNamingPolicy.CamelCase.ConvertName(v.ToString()), StringComparer.Ordinal);

        private static readonly Dictionary<T, string> NameOf = ByName.ToDictionary(p => p.Value, p => p.Key);

        private static readonly string Allowed = string.Join(", ", ByName.Keys.Select(k => $"\"{k}\""));

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String && reader.GetString() is { } name && ByName.TryGetValue(name, out var value)
                ? value
                : throw new JsonException($"Expected one of {Allowed}.");

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(NameOf.TryGetValue(value, out var name) ? name : throw new JsonException($"{value} has no name."));
    }
}
