'use strict';
// Display names that make a log writer's escaping and a parser's entity handling work:
// quotes, markup characters, emoji (astral plane, ZWJ sequences, skin tones), right-to-left
// scripts and bidi marks, combining marks, leading/trailing spaces.
const NICKS = [
  'Ada "Countess" O\'Neil',
  '<b>Bold</b> & Co',
  'Zoë 🎉',
  'Dev 👩🏽‍💻 & 🐧',
  'مريم الحسيني',
  'שָׁלוֹם Dana',
  'Rabbit \u200f(RTL mark)\u200f',
  '&amp; not an entity',
  '  padded  ',
  'Ünïcödé Çafé',
  '山田 太郎',
  'a\\b/c "d" \'e\'',
  ']]> CDATA end',
];

module.exports = { NICKS };
