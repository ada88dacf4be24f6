import { describe, expect, it } from 'vitest';
import { fold, unfoldedSpellings } from './fold.js';

describe('search folding', () => {
  it('folds case, accents and the letters written as two', () => {
    expect(fold('Résumé ÉQUIPE')).toBe('resume equipe');
    expect(fold('Straße STRASSE ẞ')).toBe('strasse strasse ss');
    expect(fold('Encyclopædia ÆRA Manœuvre')).toBe('encyclopaedia aera manoeuvre');
    expect(fold('日本語 Ωμέγα')).toBe('日本語 ωμέγα');
  });

  it('gives the spellings unfolded text may use for a folded word', () => {
    expect(unfoldedSpellings('koln')).toEqual(['koln']);
    expect(unfoldedSpellings('strasse')).toEqual(['strasse', 'straße']);
    expect(unfoldedSpellings('strassenmaesse').sort()).toEqual(['strassenmaesse', 'strassenmæsse', 'straßenmaeße', 'straßenmæße'].sort());
  });
});
