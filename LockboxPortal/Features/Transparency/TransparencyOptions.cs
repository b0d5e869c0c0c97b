namespace LockboxPortal.Features.Transparency;

/// <summary><c>Transparency:*</c> in configuration.</summary>
public sealed class TransparencyOptions
{
    public const string Section = "Transparency";

    /// <summary>How often counted access checks are written (and pushed to open grant pages); 1 to 60 seconds.</summary>
    public int FlushSeconds { get; set; } = 5;

    public TimeSpan FlushInterval => TimeSpan.FromSeconds(Math.Clamp(FlushSeconds, 1, 60));
}
