/** A grouped bar chart as a standalone SVG (no dependency). */

export interface ChartSeries {
  readonly label: string;
  /** One value per group; NaN or undefined leaves a gap. */
  readonly values: readonly (number | undefined)[];
}

export interface ChartSpec {
  readonly title: string;
  readonly subtitle: string;
  readonly yLabel: string;
  readonly groups: readonly string[];
  readonly series: readonly ChartSeries[];
}

const COLORS = ['#7f7f7f', '#d62728', '#2ca02c', '#1f77b4', '#9467bd', '#ff7f0e', '#8c564b'];

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) {
    if (step * magnitude >= value) return step * magnitude;
  }
  return 10 * magnitude;
}

function formatValue(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));
}

export function barChart(spec: ChartSpec): string {
  const width = 960;
  const height = 520;
  const margin = { top: 70, right: 20, bottom: 150, left: 70 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const all = spec.series.flatMap((s) => s.values).filter((v): v is number => Number.isFinite(v));
  const max = niceMax(Math.max(0, ...all));
  const y = (value: number) => margin.top + plotHeight - (value / max) * plotHeight;
  const groupWidth = plotWidth / spec.groups.length;
  const barWidth = (groupWidth * 0.8) / spec.series.length;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="18" font-weight="bold">${escapeXml(spec.title)}</text>`,
    `<text x="${width / 2}" y="46" text-anchor="middle" fill="#555">${escapeXml(spec.subtitle)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const value = (max * i) / 5;
    const lineY = y(value);
    parts.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${lineY}" y2="${lineY}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 6}" y="${lineY + 4}" text-anchor="end" fill="#555">${formatValue(value)}</text>`,
    );
  }
  parts.push(
    `<text transform="translate(18 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.groups.forEach((group, g) => {
    const groupX = margin.left + g * groupWidth + groupWidth * 0.1;
    spec.series.forEach((series, s) => {
      const value = series.values[g];
      if (value === undefined || !Number.isFinite(value)) return;
      const x = groupX + s * barWidth;
      const top = y(value);
      const color = COLORS[s % COLORS.length] as string;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barWidth - 2).toFixed(1)}" height="${(margin.top + plotHeight - top).toFixed(1)}" fill="${color}"><title>${escapeXml(`${series.label}, ${group}: ${Math.round(value)}`)}</title></rect>`,
        `<text x="${(x + barWidth / 2 - 1).toFixed(1)}" y="${(top - 4).toFixed(1)}" text-anchor="middle" font-size="9" fill="#333">${formatValue(value)}</text>`,
      );
    });
    parts.push(
      `<text x="${margin.left + g * groupWidth + groupWidth / 2}" y="${margin.top + plotHeight + 18}" text-anchor="middle" fill="#333">${escapeXml(group)}</text>`,
    );
  });
  parts.push(
    `<line x1="${margin.left}" x2="${width - margin.right}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight}" stroke="#333"/>`,
  );
  const legendTop = margin.top + plotHeight + 40;
  spec.series.forEach((series, s) => {
    const column = s % 2;
    const row = Math.floor(s / 2);
    const x = margin.left + column * (plotWidth / 2);
    const legendY = legendTop + row * 20;
    parts.push(
      `<rect x="${x}" y="${legendY - 10}" width="12" height="12" fill="${COLORS[s % COLORS.length] as string}"/>`,
      `<text x="${x + 18}" y="${legendY}" fill="#333">${escapeXml(series.label)}</text>`,
    );
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
