using MudBlazor;

namespace LockboxPortal.Components.Layout;

/// <summary>
/// The portal's one theme, for the interactive layout and the static account pages alike. Every colour that carries
/// text (filled buttons and chips, coloured text on the background) keeps a contrast of at least 4.5:1: MudBlazor's
/// default green, blue, orange and red with white text do not (the green is 2.2:1).
/// </summary>
public static class PortalTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#1f4e79",
            AppbarBackground = "#1f4e79",
            Secondary = "#6a1b9a",
            Info = "#1565c0",
            Success = "#1b5e20",
            Warning = "#a84700",
            Error = "#c62828",
            TextSecondary = "rgba(0,0,0,0.68)",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#90caf9",
            PrimaryContrastText = "#000000",
            Secondary = "#ce93d8",
            SecondaryContrastText = "#000000",
            Info = "#64b5f6",
            InfoContrastText = "#000000",
            Success = "#81c784",
            SuccessContrastText = "#000000",
            Warning = "#ffb74d",
            WarningContrastText = "#000000",
            Error = "#ef9a9a",
            ErrorContrastText = "#000000",
            TextSecondary = "rgba(255,255,255,0.75)",
        },
    };
}
